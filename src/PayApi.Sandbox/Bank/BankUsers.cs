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
            "user_mfa" => LoginOutcome.MfaRequired,
            "user_expired" => LoginOutcome.PasswordChangeRequired,
            "user_flaky" => LoginOutcome.UnexpectedPage,
            _ => LoginOutcome.InvalidCredentials,
        };
    }
}
