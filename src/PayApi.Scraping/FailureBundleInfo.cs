namespace PayApi.Scraping;

/// <summary>What can be said about a stored failure bundle without decrypting it.</summary>
/// <remarks>The owning client id is kept in the clear so an operator can open a bundle of a connection that was never created.</remarks>
public sealed record FailureBundleInfo(string Id, DateTimeOffset CreatedAt, string Reason, long Size, string ClientId, string ConnectionId);
