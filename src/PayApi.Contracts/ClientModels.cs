namespace PayApi.Contracts;

/// <summary>A freshly created client; the only time its secret is visible.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.CreatedClient")]
public sealed record CreatedClient(
    [property: Id(0)] string ClientId,
    [property: Id(1)] string ClientSecret,
    [property: Id(2)] string Name,
    [property: Id(3)] DateTimeOffset CreatedAt)
{
    public override string ToString() => $"CreatedClient {{ ClientId = {ClientId}, Name = {Name} }}";
}

/// <summary>A client as the operator sees it.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.ClientInfo")]
public sealed record ClientInfo(
    [property: Id(0)] string ClientId,
    [property: Id(1)] string Name,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] int ActiveConnections,
    [property: Id(4)] string? DisplayName = null);

/// <summary>
/// An operator's change to a client: each member that is set replaces the stored one; <see cref="ClearDisplayName"/>
/// removes the display name, so end-users see <see cref="ClientInfo.Name"/> again.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.ClientUpdate")]
public sealed record ClientUpdate(
    [property: Id(0)] string? Name,
    [property: Id(1)] string? DisplayName,
    [property: Id(2)] bool ClearDisplayName);

/// <summary>A connection the client grain knows it owns.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.OwnedConnection")]
public sealed record OwnedConnection([property: Id(0)] string ConnectionId, [property: Id(1)] string EndUserId);
