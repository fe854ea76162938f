using System.Collections.Concurrent;
using PayApi.Contracts;

namespace PayApi.Gateway.Auth;

/// <summary>
/// Bounds how many presented credentials get checked, so guessing is slow, without locking out callers whose
/// credentials are valid. Each check of a credential this gateway has not seen succeed takes a token, before the
/// check, from the bucket of the identity it names (a client id, the admin token, a connection) and, when that
/// identity has never authenticated here (a made-up client id, a malformed header), also from the bucket of the
/// caller's address. Each bucket holds <c>AuthFailuresPerMinute</c> tokens and refills evenly over a minute.
/// A check that succeeds gives its tokens back; a failed one keeps them. A credential that already succeeded is
/// checked without taking a token, so guesses at a client's secret never stand between the client and its secret.
/// </summary>
public sealed class AuthFailureThrottle
{
    private const int Capacity = 100_000;

    private readonly double _perMinute;
    private readonly TimeSpan _refillEvery;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new();
    private readonly ConcurrentDictionary<UInt128, byte> _provenCredentials = new();
    private readonly ConcurrentDictionary<string, byte> _provenIdentities = new();

    public AuthFailureThrottle(int perMinute, TimeProvider time)
    {
        _perMinute = perMinute;
        _refillEvery = TimeSpan.FromMinutes(1) / perMinute;
        RetryAfterSeconds = PayApiException.WholeSeconds(_refillEvery);
        _time = time;
    }

    /// <summary>How long a throttled caller is told to wait: the time one token takes to come back.</summary>
    public int RetryAfterSeconds { get; }

    /// <summary>
    /// Runs <paramref name="verify"/> on <paramref name="credential"/> if the budgets allow it, and settles them by its
    /// outcome; throws <c>429 rate_limited</c> unchecked when they do not.
    /// </summary>
    /// <param name="identity">Who the credential claims to be (<c>client:cli_...</c>), or null when it names nobody.</param>
    /// <param name="addressKey">The caller's address, as <see cref="Http.RateLimiting.AddressKey"/> names it.</param>
    /// <param name="credential">The whole credential as checked (client id and secret, a token); only its digest is kept.</param>
    /// <param name="vouchedBy">An identity whose own proof here makes <paramref name="identity"/> known too (a token's client).</param>
    public async Task<bool> CheckAsync(string? identity, string addressKey, string credential, Func<Task<bool>> verify, string? vouchedBy = null)
    {
        var digest = CredentialDigest.Of(credential);
        var proven = _provenCredentials.ContainsKey(digest);
        var taken = proven ? [] : Reserve(identity, addressKey, vouchedBy);
        bool valid;
        try
        {
            valid = await verify();
        }
        catch
        {
            // The check did not happen (storage down): nothing was learnt, nothing is charged.
            Refund(taken);
            throw;
        }

        if (valid)
        {
            Refund(taken);
            Remember(_provenCredentials, digest);
            Remember(_provenIdentities, identity ?? addressKey);
        }
        else if (proven)
        {
            // A secret that was rotated away: a failure like any other, charged after the fact.
            _provenCredentials.TryRemove(digest, out _);
            TryTake(identity ?? addressKey);
        }

        return valid;
    }

    private string[] Reserve(string? identity, string addressKey, string? vouchedBy)
    {
        string[] keys = identity is null ? [addressKey]
            : _provenIdentities.ContainsKey(identity) || (vouchedBy is not null && _provenIdentities.ContainsKey(vouchedBy)) ? [identity]
            : [identity, addressKey];
        for (var i = 0; i < keys.Length; i++)
        {
            if (!TryTake(keys[i]))
            {
                Refund(keys[..i]);
                throw new PayApiException(ErrorCodes.RateLimited, $"Too many failed authentications. Retry after {RetryAfterSeconds} s.")
                    .WithRetryAfter(_refillEvery);
            }
        }

        return keys;
    }

    private bool TryTake(string key)
    {
        if (_buckets.Count >= Capacity)
        {
            Sweep();
        }

        var bucket = _buckets.GetOrAdd(key, _ => new Bucket(_perMinute, _time.GetTimestamp()));
        lock (bucket)
        {
            Refill(bucket);
            if (bucket.Tokens < 1)
            {
                return false;
            }

            bucket.Tokens--;
            return true;
        }
    }

    private void Refund(string[] keys)
    {
        foreach (var key in keys)
        {
            if (_buckets.TryGetValue(key, out var bucket))
            {
                lock (bucket)
                {
                    Refill(bucket);
                    bucket.Tokens = Math.Min(_perMinute, bucket.Tokens + 1);
                }
            }
        }
    }

    private void Refill(Bucket bucket)
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(bucket.Stamp, now);
        bucket.Tokens = Math.Min(_perMinute, bucket.Tokens + (elapsed / _refillEvery));
        bucket.Stamp = now;
    }

    // Full buckets hold nothing worth keeping: dropping one is the same as never having made it. If most are still
    // in use, all go: memory stays bounded, at the price of a fresh budget for whoever was guessing.
    private void Sweep()
    {
        SweepFull();
        if (_buckets.Count >= Capacity * 9 / 10)
        {
            _buckets.Clear();
        }
    }

    private void SweepFull()
    {
        foreach (var (key, bucket) in _buckets)
        {
            lock (bucket)
            {
                Refill(bucket);
                if (bucket.Tokens >= _perMinute)
                {
                    _buckets.TryRemove(key, out _);
                }
            }
        }
    }

    private static void Remember<T>(ConcurrentDictionary<T, byte> set, T key)
        where T : notnull
    {
        if (set.Count >= Capacity)
        {
            set.Clear();
        }

        set.TryAdd(key, 0);
    }

    private sealed class Bucket(double tokens, long stamp)
    {
        public double Tokens { get; set; } = tokens;

        public long Stamp { get; set; } = stamp;
    }
}
