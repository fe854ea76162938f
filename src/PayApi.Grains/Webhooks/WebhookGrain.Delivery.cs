using PayApi.Contracts;

namespace PayApi.Grains.Webhooks;

/// <summary>Delivery: due attempts started in the background, bounded per client; outcomes recorded; retries scheduled.</summary>
public sealed partial class WebhookGrain
{
    /// <summary>Starts every due attempt there is room for, then sets the timer for the next one due.</summary>
    private void Pump()
    {
        var now = time.GetUtcNow();
        var due = state.State.Pending.Values
            .Where(p => p.NextAttemptAt <= now && !_inFlight.Contains(p.EventId))
            .OrderBy(p => p.NextAttemptAt)
            .ToList();
        foreach (var pending in due)
        {
            if (_inFlight.Count >= Math.Max(1, _options.MaxConcurrentDeliveries))
            {
                break;
            }

            _inFlight.Add(pending.EventId);
            _ = AttemptAsync(pending);
        }

        ScheduleNext();
    }

    private void ScheduleNext()
    {
        _timer?.Dispose();
        _timer = null;
        var waiting = state.State.Pending.Values.Where(p => !_inFlight.Contains(p.EventId)).ToList();
        if (waiting.Count == 0 || _inFlight.Count >= Math.Max(1, _options.MaxConcurrentDeliveries))
        {
            return; // nothing to wait for, or a finishing attempt pumps again
        }

        var wait = waiting.Min(p => p.NextAttemptAt) - time.GetUtcNow();
        wait = wait < TimeSpan.Zero ? TimeSpan.Zero : wait;

        // Short waits keep the grain active; long ones let it go, and the durable reminder brings it back.
        _timer = this.RegisterGrainTimer(
            () =>
            {
                Pump();
                return Task.CompletedTask;
            },
            new GrainTimerCreationOptions(wait, Timeout.InfiniteTimeSpan) { KeepAlive = wait < TimeSpan.FromMinutes(5), Interleave = true });
    }

    private async Task AttemptAsync(PendingDelivery pending)
    {
        try
        {
            var view = await EventGrain(pending.EventId).GetAsync();
            if (view is null || state.State.Url is not { } url)
            {
                if (state.State.Pending.Remove(pending.EventId))
                {
                    await SaveAsync();
                }

                return;
            }

            var secrets = await SigningSecretsAsync();
            var attempt = await sender.SendAsync(new Uri(url), view.Event, secrets);
            var delivered = attempt.StatusCode is >= 200 and < 300;
            var number = pending.FailedAttempts + 1;
            var gaveUp = false;
            string status;
            if (!state.State.Pending.TryGetValue(pending.EventId, out var current) || current != pending)
            {
                // Replayed (or the webhook removed) while this attempt ran: the newer entry decides what happens next.
                status = state.State.Pending.ContainsKey(pending.EventId) ? WebhookDeliveryStates.Pending : delivered ? WebhookDeliveryStates.Delivered : WebhookDeliveryStates.Failed;
            }
            else if (delivered)
            {
                state.State.Pending.Remove(pending.EventId);
                status = WebhookDeliveryStates.Delivered;
            }
            else
            {
                var next = attempt.At + WebhookBackoff.DelayAfter(number, _options, Random.Shared);
                if (next > pending.GiveUpAt)
                {
                    state.State.Pending.Remove(pending.EventId);
                    status = WebhookDeliveryStates.Failed;
                    gaveUp = true;
                }
                else
                {
                    state.State.Pending[pending.EventId] = pending with { FailedAttempts = number, NextAttemptAt = next };
                    status = WebhookDeliveryStates.Pending;
                }
            }

            await EventGrain(pending.EventId).RecordAttemptAsync(attempt, status);
            await SaveAsync();
            Report(new WebhookDeliveryOutcome(
                ClientId, pending.EventId, pending.EventType, number, delivered, attempt.StatusCode, attempt.Error, TimeSpan.FromMilliseconds(attempt.LatencyMs), gaveUp));
        }
        catch (Exception e)
        {
            // Background work no caller observes: an unexpected failure must not lose the pending entry either.
            // Storage or the key store failed, not the receiver: nothing was recorded, so the attempt is simply made again.
            LogAttemptFailed(logger, ClientId, pending.EventId, e is PayApiException p ? p.Code : e.GetType().Name);
            if (state.State.Pending.TryGetValue(pending.EventId, out var current) && current == pending)
            {
                state.State.Pending[pending.EventId] = pending with { NextAttemptAt = time.GetUtcNow() + _options.FirstRetryDelay };
            }
        }
        finally
        {
            _inFlight.Remove(pending.EventId);
            Pump();
        }
    }

    private void Report(WebhookDeliveryOutcome outcome)
    {
        foreach (var observer in observers)
        {
            observer.OnAttempt(outcome);
        }
    }

    /// <summary>The secrets that sign now: the current one, and the previous one for its last 24 h after a rotation.</summary>
    private async Task<IReadOnlyList<string>> SigningSecretsAsync()
    {
        var now = time.GetUtcNow();
        var previousLive = state.State.SealedPreviousSecret is not null && state.State.PreviousSecretExpiresAt > now;
        if (_secrets is { } opened && opened.Count == (previousLive ? 2 : 1))
        {
            return opened;
        }

        using var key = await vault.OpenAsync(ClientId, CancellationToken.None)
            ?? throw new InvalidOperationException("The webhook's data key is gone.");
        var secrets = new List<string> { WebhookSecretVault.Open(key, state.State.SealedSecret!) };
        if (previousLive)
        {
            secrets.Add(WebhookSecretVault.Open(key, state.State.SealedPreviousSecret!));
        }

        _secrets = secrets;
        return secrets;
    }
}
