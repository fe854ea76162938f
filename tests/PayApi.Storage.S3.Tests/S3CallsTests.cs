using System.Net;
using Amazon.S3;
using Xunit;

namespace PayApi.Storage.S3.Tests;

/// <summary>Which S3 failures are outages (503 to the caller, retry later) and which are refusals or plain errors.</summary>
public sealed class S3CallsTests
{
    [Theory]
    [InlineData("SlowDown", HttpStatusCode.ServiceUnavailable)]
    [InlineData("ServiceUnavailable", HttpStatusCode.ServiceUnavailable)]
    [InlineData("InternalError", HttpStatusCode.InternalServerError)]
    [InlineData("RequestTimeout", HttpStatusCode.BadRequest)]
    [InlineData("Anything", HttpStatusCode.BadGateway)]
    public async Task Throttling_and_server_errors_are_outages(string code, HttpStatusCode status)
    {
        var e = await Assert.ThrowsAsync<S3UnavailableException>(() => Fail(code, status));
        Assert.Contains("bkt", e.Message, StringComparison.Ordinal);
        Assert.Contains(code, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NoSuchBucket", HttpStatusCode.NotFound)]
    [InlineData("AccessDenied", HttpStatusCode.Forbidden)]
    [InlineData("InvalidAccessKeyId", HttpStatusCode.Forbidden)]
    public async Task A_missing_bucket_or_refused_credentials_are_a_refusal(string code, HttpStatusCode status)
    {
        var e = await Assert.ThrowsAsync<S3BucketAccessException>(() => Fail(code, status));
        Assert.Equal(code, e.ErrorCode);
        Assert.IsNotAssignableFrom<Orleans.Runtime.OrleansException>(e);
    }

    [Fact]
    public async Task Other_errors_and_the_callers_cancellation_pass_through()
    {
        await Assert.ThrowsAsync<AmazonS3Exception>(() => Fail("NoSuchKey", HttpStatusCode.NotFound));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAsync<TaskCanceledException>(() =>
            S3Calls.RunAsync("bkt", "GetObject", ct => Task.Delay(Timeout.Infinite, ct), cancelled.Token));
    }

    [Fact]
    public async Task A_refused_connection_is_an_outage()
    {
        await Assert.ThrowsAsync<S3UnavailableException>(() =>
            S3Calls.RunAsync("bkt", "GetObject", _ => Task.FromException(new HttpRequestException("Connection refused"))));
    }

    private static Task Fail(string code, HttpStatusCode status) =>
        S3Calls.RunAsync("bkt", "PutObject", _ => Task.FromException(new AmazonS3Exception("S3 said no") { ErrorCode = code, StatusCode = status }));
}
