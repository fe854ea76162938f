using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using PayApi.Contracts;

namespace PayApi.Grains.Webhooks;

/// <summary>Makes one delivery attempt: signs the body, POSTs it with the attempt timeout, and reports what happened.</summary>
public sealed class WebhookSender(IHttpClientFactory httpClients, IOptions<WebhookOptions> options, TimeProvider time)
{
    public async Task<WebhookAttempt> SendAsync(Uri url, WebhookEvent webhookEvent, IReadOnlyList<string> secrets)
    {
        var started = time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        var body = Encoding.UTF8.GetBytes(webhookEvent.Body);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(WebhookSigner.HeaderName, WebhookSigner.Sign(body, secrets, started));
        request.Headers.UserAgent.ParseAdd("PayApi-Webhooks/1");
        using var timeout = new CancellationTokenSource(options.Value.AttemptTimeout);
        try
        {
            using var response = await httpClients.CreateClient(WebhookHttp.ClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            var error = status is >= 200 and < 300 ? null
                : status is >= 300 and < 400 ? "redirect (not followed)"
                : $"HTTP {status}";
            return new WebhookAttempt(started, status, clock.ElapsedMilliseconds, error);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new WebhookAttempt(started, null, clock.ElapsedMilliseconds, $"timeout after {options.Value.AttemptTimeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e) when (Refusal(e) is { } refused)
        {
            return new WebhookAttempt(started, null, clock.ElapsedMilliseconds, "target refused: " + refused.Detail);
        }
        catch (HttpRequestException e)
        {
            return new WebhookAttempt(started, null, clock.ElapsedMilliseconds, "connection failed: " + (e.HttpRequestError == HttpRequestError.Unknown ? "error" : e.HttpRequestError.ToString()));
        }
    }

    private static PayApiException? Refusal(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is PayApiException p)
            {
                return p;
            }
        }

        return null;
    }
}
