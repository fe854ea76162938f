using System.Net;
using PayApi.Sandbox;

namespace PayApi.Sandbox.Tests;

internal static class Sandbox
{
    /// <summary>A fresh sandbox per test: counters, switches and sessions must not leak between tests.</summary>
    public static Task<SandboxServer> StartAsync(Action<SandboxOptions>? configure = null)
    {
        var options = new SandboxOptions();
        configure?.Invoke(options);
        return SandboxServer.StartAsync(options, CancellationToken.None);
    }

    public static void AssertSeeOther(HttpResponseMessage response, string expectedPath)
    {
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal(expectedPath, response.Headers.Location?.OriginalString);
    }

    public static IEnumerable<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [];
}
