using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PayApi.Contracts;
using PayApi.Gateway.Http;

namespace PayApi.Gateway.Auth;

/// <summary>
/// Guards the operations dashboard (everything under <see cref="Prefix"/>) with the admin token. A script or a
/// header-injecting proxy sends it as <c>Authorization: Bearer</c>; a browser posts it once to the login form and gets
/// a cookie that proves it: <c>HttpOnly</c>, <c>Secure</c>, <c>SameSite=Strict</c>, scoped to the dashboard's path,
/// valid for <see cref="CookieLifetime"/>. The cookie holds an expiry and an HMAC of it under the admin token, never
/// the token itself; changing the admin token voids every cookie. Token checks go through the same failure throttle
/// as the admin API.
/// </summary>
public static class DashboardAccess
{
    public const string Prefix = "/admin/dashboard";
    public const string CookieName = "payapi_dashboard";
    public static readonly TimeSpan CookieLifetime = TimeSpan.FromHours(8);

    private const string LoginPath = Prefix + "/login";
    private const string LogoutPath = Prefix + "/logout";
    private const int MaxTokenLength = 512;

    /// <summary>Maps the login form and puts the guard in front of every other path under <see cref="Prefix"/>.</summary>
    public static WebApplication UseDashboardAccess(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet(LoginPath, () => Results.Content(LoginPage, "text/html; charset=utf-8"));
        app.MapPost(LoginPath, LoginAsync).DisableAntiforgery();
        app.MapPost(LogoutPath, (HttpContext context) =>
        {
            context.Response.Cookies.Delete(CookieName, CookieOptions(DateTimeOffset.UnixEpoch));
            return Results.Redirect(LoginPath, permanent: false);
        });
        app.Use(GuardAsync);
        return app;
    }

    private static async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path;
        if (!path.StartsWithSegments(Prefix, StringComparison.OrdinalIgnoreCase)
            || path.Equals(LoginPath, StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        var adminToken = AdminToken(context);
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        if (context.Request.Cookies.TryGetValue(CookieName, out var cookie) && IsValidCookie(cookie, adminToken, time.GetUtcNow()))
        {
            await next(context);
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && await CheckTokenAsync(context, header["Bearer ".Length..].Trim(), adminToken))
        {
            await next(context);
            return;
        }

        if (HttpMethods.IsGet(context.Request.Method) && context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Redirect(LoginPath);
            return;
        }

        throw PayApiException.Unauthorized("The dashboard needs the operator token: sign in at " + LoginPath + " or send it as a Bearer token.");
    }

    private static async Task LoginAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            throw PayApiException.Invalid("Post the form with the operator token in the field token.");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var presented = form["token"].ToString();
        if (presented.Length is 0 or > MaxTokenLength || !await CheckTokenAsync(context, presented, AdminToken(context)))
        {
            throw PayApiException.Unauthorized("A valid operator token is required.");
        }

        var expires = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow() + CookieLifetime;
        context.Response.Cookies.Append(CookieName, IssueCookie(AdminToken(context), expires), CookieOptions(expires));
        // 303: the browser follows with a GET of the dashboard.
        context.Response.StatusCode = (int)HttpStatusCode.SeeOther;
        context.Response.Headers.Location = Prefix + "/";
    }

    private static Task<bool> CheckTokenAsync(HttpContext context, string presented, string expected) =>
        context.RequestServices.GetRequiredService<AuthFailureThrottle>().CheckAsync("admin", RateLimiting.AddressKey(context), presented,
            () => Task.FromResult(!string.IsNullOrEmpty(expected) && FixedTimeEquals(presented, expected)));

    private static string AdminToken(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.AdminToken;

    /// <summary>The cookie's value: its expiry (Unix seconds) and an HMAC-SHA256 of it keyed by the admin token.</summary>
    public static string IssueCookie(string adminToken, DateTimeOffset expires)
    {
        var stamp = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return stamp + "." + Mac(adminToken, stamp);
    }

    public static bool IsValidCookie(string? value, string adminToken, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(value) || string.IsNullOrEmpty(adminToken) || value.Length > 128)
        {
            return false;
        }

        var dot = value.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !long.TryParse(value.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds < now.ToUnixTimeSeconds() || seconds > (now + CookieLifetime).ToUnixTimeSeconds() + 60)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Mac(adminToken, value[..dot]));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(value[(dot + 1)..]));
    }

    private static string Mac(string adminToken, string stamp) =>
        Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(adminToken), Encoding.UTF8.GetBytes("payapi-dashboard|" + stamp)));

    private static CookieOptions CookieOptions(DateTimeOffset expires) => new()
    {
        HttpOnly = true,
        Secure = true,
        SameSite = SameSiteMode.Strict,
        Path = Prefix,
        Expires = expires,
        IsEssential = true,
    };

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));

    private const string LoginPage = """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>PayApi operations dashboard</title>
        <meta name="viewport" content="width=device-width, initial-scale=1"></head>
        <body style="font-family: system-ui, sans-serif; max-width: 28rem; margin: 4rem auto;">
        <h1>Operations dashboard</h1>
        <form method="post" action="/admin/dashboard/login">
        <label for="token">Operator (admin) token</label><br>
        <input id="token" name="token" type="password" autocomplete="off" required maxlength="512" style="width: 100%;"><br><br>
        <button type="submit">Sign in</button>
        </form>
        </body>
        </html>
        """;
}
