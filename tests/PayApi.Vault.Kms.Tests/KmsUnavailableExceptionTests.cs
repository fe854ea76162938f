using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace PayApi.Vault.Kms.Tests;

public sealed class KmsUnavailableExceptionTests
{
    [Fact]
    public void Crosses_a_grain_call_as_itself()
    {
        using var provider = new ServiceCollection()
            .AddSerializer(builder => builder.AddAssembly(typeof(KmsUnavailableException).Assembly))
            .BuildServiceProvider();
        var serializer = provider.GetRequiredService<Serializer>();

        var copy = serializer.Deserialize<Exception>(serializer.SerializeToArray<Exception>(new KmsUnavailableException("KMS Decrypt failed after retries (ThrottlingException, HTTP 400).")));

        var e = Assert.IsType<KmsUnavailableException>(copy);
        Assert.Equal("KMS Decrypt failed after retries (ThrottlingException, HTTP 400).", e.Message);
    }
}
