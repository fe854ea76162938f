namespace PayApi.Sandbox.Bank;

/// <summary>What a username/password pair leads to, per the sandbox-bank table in docs/api.md.</summary>
internal enum LoginOutcome
{
    InvalidCredentials,
    Connected,
    MfaRequired,
    AccountLocked,
    PasswordChangeRequired,
    UnexpectedPage,
}

/// <summary>The bank's fixed user directory.</summary>
internal static class BankUsers
{
    public const string GoodPassword = "pass_good";
    public const string MfaCode = "123456";

    /// <summary>How long before its password expires the bank warns <c>user_pwexpiring</c> on every dashboard visit.</summary>
    public static readonly TimeSpan PasswordExpiryNotice = TimeSpan.FromDays(5);

    /// <summary>When the user's password expires, for the users whose bank warns about it; null for the others.</summary>
    public static DateTimeOffset? PasswordExpiresAt(string username, DateTimeOffset now) =>
        username == "user_pwexpiring" ? now.Date + PasswordExpiryNotice : null;

    /// <param name="goodPassword">The password the sandbox users accept (docs/api.md: <c>pass_good</c>); tests may plant a canary.</param>
    public static LoginOutcome Evaluate(string username, string password, string goodPassword = GoodPassword)
    {
        // Locked accounts are refused before the password is checked, as docs/api.md says "any" password.
        if (username == "user_locked")
        {
            return LoginOutcome.AccountLocked;
        }

        if (!string.Equals(password, goodPassword, StringComparison.Ordinal))
        {
            return LoginOutcome.InvalidCredentials;
        }

        return username switch
        {
            "user_good" => LoginOutcome.Connected,
            "user_pwexpiring" => LoginOutcome.Connected,
            "user_mfa" => LoginOutcome.MfaRequired,
            "user_expired" => LoginOutcome.PasswordChangeRequired,
            "user_flaky" => LoginOutcome.UnexpectedPage,
            _ => LoginOutcome.InvalidCredentials,
        };
    }
}
