using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace PayApi.Sandbox.Bank;

/// <summary>
/// Everything the bank keeps in memory: sessions, pending MFA logins, the bot check's sliding windows
/// and the counters tests read. Deliberately not persisted, so a sandbox restart forgets sessions the
/// way a real bank's session store would after a deploy; only the signed device cookie outlives it.
/// </summary>
internal sealed class BankState
{
    /// <summary>A pending MFA login lives as long as a real bank's SMS code does.</summary>
    public static readonly TimeSpan PendingMfaLifetime = TimeSpan.FromMinutes(5);

    /// <summary>Banks allow a few typos before they make the user start over.</summary>
    public const int MaxMfaAttempts = 5;

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingMfa> _pendingMfa = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<DateTimeOffset>> _loginWindows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _loginsByAddress = new(StringComparer.Ordinal);
    private readonly Lock _loginLock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _idleTimeout;
    private readonly int _loginLimit;
    private readonly TimeSpan _loginWindow;
    private volatile bool _outage;
    private long _loginAttempts;

    public BankState(TimeProvider time, TimeSpan idleTimeout, int loginLimit, TimeSpan loginWindow)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(idleTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(loginLimit);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(loginWindow, TimeSpan.Zero);
        _time = time;
        _idleTimeout = idleTimeout;
        _loginLimit = loginLimit;
        _loginWindow = loginWindow;
    }

    public bool Outage
    {
        get => _outage;
        set => _outage = value;
    }

    public long LoginAttempts => Interlocked.Read(ref _loginAttempts);

    public int ActiveSessions
    {
        get
        {
            var now = _time.GetUtcNow();
            return _sessions.Count(s => !IsIdle(s.Value, now));
        }
    }

    public IReadOnlyDictionary<string, int> LoginsByClientAddress()
    {
        lock (_loginLock)
        {
            // A copy, so the caller can enumerate while requests keep counting.
            return new Dictionary<string, int>(_loginsByAddress, StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Counts one login POST from <paramref name="clientAddress"/> and says whether it is over the limit.
    /// Refused attempts count too, so a client that keeps hammering stays blocked until it slows down.
    /// </summary>
    public bool RegisterLoginAttempt(string clientAddress)
    {
        Interlocked.Increment(ref _loginAttempts);
        var now = _time.GetUtcNow();
        lock (_loginLock)
        {
            _loginsByAddress[clientAddress] = _loginsByAddress.GetValueOrDefault(clientAddress) + 1;
            if (!_loginWindows.TryGetValue(clientAddress, out var window))
            {
                window = new Queue<DateTimeOffset>();
                _loginWindows[clientAddress] = window;
            }

            while (window.Count > 0 && now - window.Peek() >= _loginWindow)
            {
                window.Dequeue();
            }

            window.Enqueue(now);
            return window.Count > _loginLimit;
        }
    }

    public string CreateSession(string username)
    {
        var token = NewToken();
        _sessions[token] = new Session(username, _time.GetUtcNow());
        return token;
    }

    /// <summary>
    /// The username behind a session token, refreshing its idle timer; null when unknown or idle too long.
    /// An idle session is removed rather than revived, so a late request cannot resurrect it.
    /// </summary>
    public string? TouchSession(string? token)
    {
        if (string.IsNullOrEmpty(token) || !_sessions.TryGetValue(token, out var session))
        {
            return null;
        }

        var now = _time.GetUtcNow();
        if (IsIdle(session, now))
        {
            _sessions.TryRemove(token, out _);
            return null;
        }

        session.LastSeen = now;
        return session.Username;
    }

    public string CreatePendingMfa(string username)
    {
        var token = NewToken();
        _pendingMfa[token] = new PendingMfa(username, _time.GetUtcNow() + PendingMfaLifetime);
        return token;
    }

    public PendingMfa? FindPendingMfa(string? token)
    {
        if (string.IsNullOrEmpty(token) || !_pendingMfa.TryGetValue(token, out var pending))
        {
            return null;
        }

        if (_time.GetUtcNow() >= pending.ExpiresAt)
        {
            _pendingMfa.TryRemove(token, out _);
            return null;
        }

        return pending;
    }

    /// <summary>Records a wrong code; once the attempts are used up the pending login is dropped.</summary>
    public void RegisterWrongMfaCode(string token, PendingMfa pending)
    {
        if (pending.RegisterWrongAttempt() >= MaxMfaAttempts)
        {
            _pendingMfa.TryRemove(token, out _);
        }
    }

    public void CompletePendingMfa(string token) => _pendingMfa.TryRemove(token, out _);

    private bool IsIdle(Session session, DateTimeOffset now) => now - session.LastSeen > _idleTimeout;

    private static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed class Session(string username, DateTimeOffset lastSeen)
    {
        private long _lastSeenTicks = lastSeen.UtcTicks;

        public string Username { get; } = username;

        // Ticks behind Interlocked because parallel page loads of one browser touch the same session.
        public DateTimeOffset LastSeen
        {
            get => new(Interlocked.Read(ref _lastSeenTicks), TimeSpan.Zero);
            set => Interlocked.Exchange(ref _lastSeenTicks, value.UtcTicks);
        }
    }
}

/// <summary>A login that passed the password and waits for its one-time code.</summary>
internal sealed class PendingMfa(string username, DateTimeOffset expiresAt)
{
    private int _wrongAttempts;

    public string Username { get; } = username;

    public DateTimeOffset ExpiresAt { get; } = expiresAt;

    /// <summary>Returns the number of wrong codes so far, including this one.</summary>
    public int RegisterWrongAttempt() => Interlocked.Increment(ref _wrongAttempts);
}
