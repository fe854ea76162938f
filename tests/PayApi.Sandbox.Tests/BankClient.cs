using System.Net;
using System.Text.RegularExpressions;
using PayApi.Sandbox;

namespace PayApi.Sandbox.Tests;

/// <summary>
/// A cookie-aware HTTP client that behaves like a browser without following redirects, so tests can
/// assert every 303 the bank sends. The cookie jar can outlive one sandbox to model a restart.
/// </summary>
internal sealed partial class BankClient : IDisposable
{
    private readonly HttpClient _http;

    public BankClient(SandboxServer server, CookieContainer? cookies = null, string? via = null, IWebProxy? proxy = null)
    {
        Cookies = cookies ?? new CookieContainer();
        Bank = server.BankBaseAddress;
        var handler = new HttpClientHandler
        {
            CookieContainer = Cookies,
            UseCookies = true,
            AllowAutoRedirect = false,
            UseProxy = proxy is not null,
            Proxy = proxy,
        };
        _http = new HttpClient(handler) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (via is not null)
        {
            _http.DefaultRequestHeaders.TryAddWithoutValidation("Via", via);
        }
    }

    public CookieContainer Cookies { get; }

    public Uri Bank { get; }

    public Task<HttpResponseMessage> GetAsync(string relative) => _http.GetAsync(new Uri(Bank, relative));

    public async Task<(HttpResponseMessage Response, string Html)> GetPageAsync(string relative)
    {
        var response = await GetAsync(relative);
        return (response, await response.Content.ReadAsStringAsync());
    }

    public Task<HttpResponseMessage> PostFormAsync(string relative, params (string Name, string Value)[] fields) =>
        _http.PostAsync(new Uri(Bank, relative), new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))));

    /// <summary>Loads the login page (which sets the CSRF cookie) and returns its hidden token.</summary>
    public async Task<string> CsrfTokenAsync(string page = "login")
    {
        var (response, html) = await GetPageAsync(page);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var match = CsrfInput().Match(html);
        Assert.True(match.Success, "no csrf_token input on " + page);
        return match.Groups[1].Value;
    }

    public async Task<HttpResponseMessage> LoginAsync(string username, string password)
    {
        var csrf = await CsrfTokenAsync();
        return await PostFormAsync("login", ("csrf_token", csrf), ("username", username), ("password", password));
    }

    public async Task<HttpResponseMessage> SubmitMfaAsync(string code, bool rememberDevice)
    {
        var csrf = await CsrfTokenAsync("mfa");
        var fields = new List<(string, string)> { ("csrf_token", csrf), ("code", code) };
        if (rememberDevice)
        {
            fields.Add(("remember_device", "1"));
        }

        return await PostFormAsync("mfa", [.. fields]);
    }

    public Cookie? Cookie(string name) => Cookies.GetCookies(Bank)[name];

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("<input type=\"hidden\" name=\"csrf_token\" value=\"([^\"]+)\">")]
    private static partial Regex CsrfInput();
}
