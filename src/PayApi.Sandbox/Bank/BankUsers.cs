namespace PayApi.Sandbox.Bank;

/// <summary>What a username/password pair leads to, per the sandbox-bank table in API.md.</summary>
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

    public static LoginOutcome Evaluate(string username, string password)
    {
        // Locked accounts are refused before the password is checked, as API.md says "any" password.
        if (username == "user_locked")
        {
            return LoginOutcome.AccountLocked;
        }

        if (!string.Equals(password, GoodPassword, StringComparison.Ordinal))
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
