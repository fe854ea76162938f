using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace PayApi.Sandbox.Tests;

public sealed partial class BankDataTests
{
    [Fact]
    public async Task Transactions_page_through_75_unique_rows_newest_first()
    {
        await using var server = await Sandbox.StartAsync();
        using var client = new BankClient(server);
        Sandbox.AssertSeeOther(await client.LoginAsync("user_good", "pass_good"), "/bank/dashboard");

        var rows = new List<Match>();
        string? next = "transactions?page=1";
        var pages = 0;
        while (next is not null)
        {
            var (response, html) = await client.GetPageAsync(next);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("<table id=\"transactions\">", html, StringComparison.Ordinal);
            var pageRows = TransactionRow().Matches(html);
            pages++;
            Assert.Equal(pages < 4 ? 20 : 15, pageRows.Count);
            rows.AddRange(pageRows);

            var link = NextPage().Match(html);
            next = link.Success ? link.Groups[1].Value.TrimStart('/')["bank/".Length..] : null;
            if (link.Success)
            {
                Assert.Equal($"/bank/transactions?page={pages + 1}", link.Groups[1].Value);
            }
        }

        Assert.Equal(4, pages);
        Assert.Equal(75, rows.Count);
        Assert.Equal(75, rows.Select(r => r.Groups["id"].Value).Distinct().Count());
        Assert.All(rows, r => Assert.StartsWith("txn_", r.Groups["id"].Value, StringComparison.Ordinal));

        var dates = rows.Select(r => DateTimeOffset.ParseExact(r.Groups["date"].Value, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)).ToList();
        Assert.True(dates.Zip(dates.Skip(1)).All(pair => pair.First > pair.Second), "transactions are not strictly newest first");

        var amounts = rows.Select(r => long.Parse(r.Groups["amount"].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Contains(amounts, a => a < 0);
        Assert.Contains(amounts, a => a > 0);
        Assert.Contains(rows, r => r.Groups["currency"].Value == "eur");
        Assert.Contains(rows, r => r.Groups["status"].Value == "posted");

        // The default page is the first one, and a page past the end is empty rather than an error.
        var (_, first) = await client.GetPageAsync("transactions");
        Assert.Equal(rows[0].Groups["id"].Value, TransactionRow().Match(first).Groups["id"].Value);
        var (beyond, beyondHtml) = await client.GetPageAsync("transactions?page=9");
        Assert.Equal(HttpStatusCode.OK, beyond.StatusCode);
        Assert.Empty(TransactionRow().Matches(beyondHtml));
        Assert.DoesNotContain("id=\"next-page\"", beyondHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Displayed_amounts_match_their_data_attributes()
    {
        await using var server = await Sandbox.StartAsync();
        using var client = new BankClient(server);
        Sandbox.AssertSeeOther(await client.LoginAsync("user_good", "pass_good"), "/bank/dashboard");

        var (_, dashboard) = await client.GetPageAsync("dashboard");
        var balances = BalanceRow().Matches(dashboard);
        Assert.Equal(["usd", "eur"], balances.Select(b => b.Groups["currency"].Value));
        foreach (Match balance in balances)
        {
            var symbol = balance.Groups["currency"].Value == "usd" ? "$" : "&#x20AC;";
            Assert.Equal(Display(balance.Groups["available"].Value, symbol), balance.Groups["availableText"].Value);
            Assert.Equal(Display(balance.Groups["pending"].Value, symbol), balance.Groups["pendingText"].Value);
        }

        var (_, transactions) = await client.GetPageAsync("transactions");
        foreach (Match row in TransactionRow().Matches(transactions))
        {
            var symbol = row.Groups["currency"].Value == "usd" ? "$" : "&#x20AC;";
            Assert.Equal(Display(row.Groups["amount"].Value, symbol), row.Groups["amountText"].Value);
        }

        static string Display(string minor, string symbol)
        {
            var value = long.Parse(minor, CultureInfo.InvariantCulture);
            return (value < 0 ? "-" : string.Empty) + symbol + (Math.Abs(value) / 100m).ToString("N2", CultureInfo.InvariantCulture);
        }
    }

    [Fact]
    public async Task Payouts_list_the_contracted_rows()
    {
        await using var server = await Sandbox.StartAsync();
        using var client = new BankClient(server);
        Sandbox.AssertSeeOther(await client.LoginAsync("user_good", "pass_good"), "/bank/dashboard");

        var (response, html) = await client.GetPageAsync("payouts");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<table id=\"payouts\">", html, StringComparison.Ordinal);
        var rows = PayoutRow().Matches(html);
        Assert.True(rows.Count >= 10, $"only {rows.Count} payouts");
        Assert.Equal(rows.Count, rows.Select(r => r.Groups["id"].Value).Distinct().Count());
        Assert.Contains(rows, r => r.Groups["status"].Value == "paid");
        Assert.All(rows, r => Assert.True(long.Parse(r.Groups["amount"].Value, CultureInfo.InvariantCulture) > 0));
    }

    [Fact]
    public async Task Data_differs_per_user_and_is_the_same_after_a_restart()
    {
        var good = await ScrapeAsync("user_good", mfa: false);
        var mfa = await ScrapeAsync("user_mfa", mfa: true);
        var goodAgain = await ScrapeAsync("user_good", mfa: false);

        Assert.NotEqual(good, mfa);
        Assert.Equal(good, goodAgain);

        static async Task<string> ScrapeAsync(string username, bool mfa)
        {
            await using var server = await Sandbox.StartAsync();
            using var client = new BankClient(server);
            var login = await client.LoginAsync(username, "pass_good");
            if (mfa)
            {
                Sandbox.AssertSeeOther(login, "/bank/mfa");
                login = await client.SubmitMfaAsync("123456", rememberDevice: false);
            }

            Sandbox.AssertSeeOther(login, "/bank/dashboard");
            var parts = new List<string>();
            foreach (var page in new[] { "dashboard", "transactions?page=1", "transactions?page=4", "payouts" })
            {
                var (_, html) = await client.GetPageAsync(page);

                // Only the scraped table data: the CSRF token and nav are allowed to differ.
                parts.AddRange(DataRow().Matches(html).Select(m => m.Value));
                parts.Add(AccountHolder().Match(html).Value);
            }

            return string.Join('\n', parts);
        }
    }

    [GeneratedRegex("<tr data-id=\"(?<id>[^\"]+)\" data-date=\"(?<date>[^\"]+)\" data-amount=\"(?<amount>-?\\d+)\" data-currency=\"(?<currency>[a-z]{3})\" data-status=\"(?<status>[a-z_]+)\"><td class=\"date\">[^<]+</td><td class=\"description\">.+?</td><td class=\"amount\">(?<amountText>[^<]+)</td></tr>")]
    private static partial Regex TransactionRow();

    [GeneratedRegex("<tr data-currency=\"(?<currency>[a-z]{3})\"><td class=\"available\" data-amount=\"(?<available>\\d+)\">(?<availableText>[^<]+)</td><td class=\"pending\" data-amount=\"(?<pending>\\d+)\">(?<pendingText>[^<]+)</td></tr>")]
    private static partial Regex BalanceRow();

    [GeneratedRegex("<tr data-id=\"(?<id>po_[^\"]+)\" data-arrival-date=\"\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z\" data-amount=\"(?<amount>\\d+)\" data-currency=\"(usd|eur)\" data-status=\"(?<status>[a-z_]+)\">")]
    private static partial Regex PayoutRow();

    [GeneratedRegex("<a id=\"next-page\" href=\"([^\"]+)\">")]
    private static partial Regex NextPage();

    [GeneratedRegex("<tr data-[^>]+>.*?</tr>")]
    private static partial Regex DataRow();

    [GeneratedRegex("<span id=\"account-holder\">[^<]*</span>")]
    private static partial Regex AccountHolder();
}
