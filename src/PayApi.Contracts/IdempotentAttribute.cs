namespace PayApi.Contracts;

/// <summary>
/// Marks a grain method that may run twice with the same outcome as once, so a caller may send it again when
/// the silo holding the grain died before answering: the retry activates the grain on a survivor.
/// Methods that change state in a way a caller would notice twice (disconnect, connect, exchange) never carry it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class IdempotentAttribute : Attribute;
