using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace PayApi.Host;

/// <summary>
/// What the operator reads when the process cannot start: one line that names the cause and the setting to change
/// (a list of lines for several bad settings), never a stack trace; the process then exits with <see cref="ExitCode"/>.
/// </summary>
public static class StartupFailure
{
    /// <summary>The exit code of every start-up failure: a bad setting, a port in use, an unusable data dir or master key.</summary>
    public const int ExitCode = 1;

    private const string Prefix = "Orleans.PayApi cannot start: ";

    public static string Describe(Exception failure)
    {
        var chain = Chain(failure).ToList();
        if (chain.OfType<SettingsException>().FirstOrDefault() is { } settings)
        {
            return Prefix + settings.Message;
        }

        if (chain.OfType<OptionsValidationException>().FirstOrDefault() is { } options)
        {
            return Prefix + string.Join("; ", options.Failures);
        }

        // Kestrel: "Failed to bind to address http://127.0.0.1:8080: address already in use."
        if (chain.OfType<AddressInUseException>().Any())
        {
            var bind = chain.OfType<IOException>().FirstOrDefault(e => e.Message.StartsWith("Failed to bind", StringComparison.Ordinal));
            var what = bind is null ? "the HTTP address" : bind.Message.TrimEnd('.');
            return Prefix + $"{what} (another process holds the port). Stop it, or choose another address with --urls or ASPNETCORE_URLS.";
        }

        if (chain.OfType<SocketException>().FirstOrDefault(e => e.SocketErrorCode == SocketError.AddressAlreadyInUse) is { } socket)
        {
            return Prefix + $"an Orleans port is already in use ({socket.Message}). Stop the other process, or set PayApi:Orleans:SiloPort and PayApi:Orleans:GatewayPort.";
        }

        var innermost = chain[^1];
        return Prefix + $"{innermost.Message} ({innermost.GetType().Name})";
    }

    private static IEnumerable<Exception> Chain(Exception failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    /// <summary>Releases what a failed start built (the Orleans silo, the sandbox site); its own failures add nothing.</summary>
    public static async Task DisposeQuietlyAsync(IAsyncDisposable? app)
    {
        if (app is null)
        {
            return;
        }

        try
        {
            await app.DisposeAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The start-up failure is what the operator needs; a second error while tearing down would bury it.
        }
    }
}
