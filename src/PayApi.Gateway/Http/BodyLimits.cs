namespace PayApi.Gateway.Http;

/// <summary>The contract's request body limit, and the transport's.</summary>
public static class BodyLimits
{
    /// <summary>Bodies over this are refused with <c>413 payload_too_large</c> (enforced by <see cref="JsonBody"/>).</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>
    /// Kestrel's hard limit. After a 413 the server reads and discards the rest of the body up to here, so a
    /// client still sending gets the problem document instead of a reset connection; past it the connection is cut.
    /// </summary>
    public const int TransportMaxBytes = 1024 * 1024;
}
