using Amazon.DynamoDBv2;
using Orleans.Runtime;
using PayApi.Gateway.Http;
using PayApi.Storage.DynamoDB;
using Xunit;

namespace PayApi.Cluster.Tests;

/// <summary>
/// Which failures the gateway answers as <c>503 dependency_unavailable</c> with <c>Retry-After</c> (a retry can
/// succeed) and which as <c>500</c> (it cannot), including what Orleans wraps a storage failure in.
/// </summary>
public sealed class DependencyFailureTests
{
    public static TheoryData<Exception, bool> Failures => new()
    {
        { new DynamoDBUnavailableException("down", new AmazonDynamoDBException("InternalServerError")), true },
        { new OrleansException("storage failed", new DynamoDBUnavailableException("down", new HttpRequestException("refused"))), true },
        { new SiloUnavailableException("gone"), true },
        { new TimeoutException("slow"), true },
        { new OrleansException("storage failed", new GrainStateTooLargeException("client/cli_x", "client", 500_000, 408_576)), false },
        { new OrleansException("storage failed", new InvalidOperationException("a bug")), false },
        { new InvalidOperationException("a bug"), false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void A_failure_is_retryable_only_when_a_retry_could_succeed(Exception failure, bool retryable) =>
        Assert.Equal(retryable, ProblemMiddleware.IsDependencyFailure(failure));
}
