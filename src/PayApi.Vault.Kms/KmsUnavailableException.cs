using Orleans.Runtime;

namespace PayApi.Vault.Kms;

/// <summary>
/// KMS did not answer, kept answering "throttled" or 5xx through every retry, or refused because the key is disabled
/// or pending deletion: a dependency (or operator) problem, never the caller's. Derives from <see cref="OrleansException"/>,
/// so it crosses grain calls and the gateway answers it as <c>503 dependency_unavailable</c>; the message names the
/// operation and the error code, never key material or an encryption context.
/// </summary>
[GenerateSerializer]
[Alias("PayApi.Vault.Kms.KmsUnavailableException")]
public sealed class KmsUnavailableException : OrleansException
{
    public KmsUnavailableException()
    {
    }

    public KmsUnavailableException(string message)
        : base(message)
    {
    }

    public KmsUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
