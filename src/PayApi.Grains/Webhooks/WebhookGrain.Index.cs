using System.Globalization;
using PayApi.Contracts;

namespace PayApi.Grains.Webhooks;

/// <summary>The client's event index: ids appended to pages; listing walks pages newest first; retention drops whole pages.</summary>
public sealed partial class WebhookGrain
{
    private const int MaxListLimit = 100;

    private async Task IndexAsync(WebhookEvent e)
    {
        var page = state.State.CurrentPage;
        var size = await IndexPage(page).AppendAsync(e.Id);
        var pages = state.State.Pages;
        var at = pages.FindIndex(p => p.Number == page);
        if (at < 0)
        {
            pages.Add(new WebhookIndexPage(page, e.CreatedAt));
        }
        else if (pages[at].NewestAt < e.CreatedAt)
        {
            pages[at] = pages[at] with { NewestAt = e.CreatedAt };
        }

        if (size >= Math.Max(1, _options.IndexPageSize) && state.State.CurrentPage == page)
        {
            state.State.CurrentPage = page + 1;
        }
    }

    /// <summary>
    /// A page of events, newest first. The cursor is <c>{page}.{position}</c>: the index page to go on in and how many
    /// of its ids are still to be listed.
    /// </summary>
    public async Task<WebhookEventPage> ListEventsAsync(string? cursor, int limit)
    {
        limit = Math.Clamp(limit, 1, MaxListLimit);
        long page;
        int position;
        if (cursor is null)
        {
            page = state.State.CurrentPage;
            position = int.MaxValue;
        }
        else if (!TryParseCursor(cursor, out page, out position))
        {
            throw PayApiException.Invalid("cursor is not a cursor this list returned.");
        }

        var oldest = state.State.Pages.Count == 0 ? page : state.State.Pages.Min(p => p.Number);
        var found = new List<WebhookEventView>();
        for (; page >= oldest; page--, position = int.MaxValue)
        {
            var ids = await IndexPage(page).ListAsync();
            var start = Math.Min(position, ids.Count);
            for (var i = start - 1; i >= 0; i--)
            {
                if (found.Count == limit)
                {
                    return new WebhookEventPage(found, Cursor(page, i + 1));
                }

                if (await EventGrain(ids[i]).GetAsync() is { } view)
                {
                    found.Add(view);
                }
            }
        }

        return new WebhookEventPage(found, null);
    }

    /// <summary>Deletes the pages (and their events) whose newest event is past the retention period.</summary>
    private async Task SweepAsync()
    {
        var cutoff = time.GetUtcNow() - _options.Retention;
        var expired = state.State.Pages.Where(p => p.NewestAt < cutoff && p.Number != state.State.CurrentPage).ToList();
        var deleted = 0;
        foreach (var page in expired)
        {
            foreach (var eventId in await IndexPage(page.Number).ListAsync())
            {
                await EventGrain(eventId).DeleteAsync();
                state.State.Pending.Remove(eventId);
                deleted++;
            }

            await IndexPage(page.Number).DeleteAsync();
            state.State.Pages.Remove(page);
            await SaveAsync(); // page by page: a sweep cut short resumes where it stopped
        }

        // The page being filled expires too once its newest event does: the next event starts a new page.
        if (state.State.Pages.Find(p => p.Number == state.State.CurrentPage) is { } current && current.NewestAt < cutoff)
        {
            foreach (var eventId in await IndexPage(current.Number).ListAsync())
            {
                await EventGrain(eventId).DeleteAsync();
                state.State.Pending.Remove(eventId);
                deleted++;
            }

            await IndexPage(current.Number).DeleteAsync();
            state.State.Pages.Remove(current);
            state.State.CurrentPage++;
            await SaveAsync();
        }

        if (deleted > 0)
        {
            LogSwept(logger, ClientId, deleted);
        }

        if (state.State.Pages.Count == 0)
        {
            await UnregisterAsync(RetentionReminder);
            _retentionReminderSet = false;
        }
    }

    private static string Cursor(long page, int position) =>
        page.ToString(CultureInfo.InvariantCulture) + "." + position.ToString(CultureInfo.InvariantCulture);

    private static bool TryParseCursor(string cursor, out long page, out int position)
    {
        position = 0;
        var dot = cursor.IndexOf('.', StringComparison.Ordinal);
        return long.TryParse(cursor.AsSpan(0, Math.Max(dot, 0)), NumberStyles.None, CultureInfo.InvariantCulture, out page)
            & dot > 0
            && int.TryParse(cursor.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out position);
    }
}
