using System.Net;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime;
using Xunit;

namespace PayApi.Storage.Conformance;

/// <summary>
/// Orleans' <see cref="IMembershipTable"/> and <see cref="IGatewayListProvider"/> contract as every PayApi
/// clustering backend must honour it: the cases of Orleans' own MembershipTableTestsBase (extended protocol, with
/// table versions), plus atomic snapshots under racing writers and whole-entry round trips. Subclass per backend;
/// xunit creates a new instance (and so a new cluster id) for every test. Calls go through the cancellation-aware
/// <c>*Async</c> methods, which are what the Orleans 10.4 runtime calls.
/// <para>
/// Two rules are stricter than Orleans 10.4's minimum, which lets a backend ignore the row etag on UpdateRow (the
/// table etag alone guards it) and change the row etag on a heartbeat (as long as the old one still works): PayApi
/// backends check the row etag, and leave it unchanged on UpdateIAmAlive.
/// </para>
/// </summary>
public abstract class MembershipTableConformanceTests : IAsyncLifetime
{
    /// <summary>What the kit sets as <see cref="GatewayOptions.GatewayListRefreshPeriod"/>: not Orleans' default, so a provider that ignores it shows.</summary>
    protected static readonly TimeSpan GatewayListRefreshPeriod = TimeSpan.FromSeconds(17);

    private static int generation = Random.Shared.Next(1_000, 1_000_000);

    private ConformanceServices? services;
    private IMembershipTable? table;

    /// <summary>The cluster this test works in; unique per test.</summary>
    protected string ClusterId { get; } = "conformance-" + Guid.NewGuid().ToString("N");

    protected ConformanceServices Services => services ?? throw new InvalidOperationException("Not initialized.");

    /// <summary>The first silo's view of <see cref="ClusterId"/>, initialized.</summary>
    protected IMembershipTable Table => table ?? throw new InvalidOperationException("Not initialized.");

    /// <summary>
    /// A new, not yet initialized table for the cluster <paramref name="clusterOptions"/> names, on this test's
    /// storage. Called more than once per test: each call is another silo (of the same or another cluster)
    /// sharing that storage. The kit calls <see cref="IMembershipTable.InitializeMembershipTableAsync"/> itself.
    /// </summary>
    protected abstract IMembershipTable CreateMembershipTable(ConformanceServices services, IOptions<ClusterOptions> clusterOptions);

    /// <summary>A new, not yet initialized gateway list provider for that cluster on this test's storage.</summary>
    protected abstract IGatewayListProvider CreateGatewayListProvider(
        ConformanceServices services, IOptions<ClusterOptions> clusterOptions, IOptions<GatewayOptions> gatewayOptions);

    /// <summary>Releases anything the backend created for this test.</summary>
    protected virtual Task DisposeBackendAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        services = new ConformanceServices();
        table = await NewTableAsync(ClusterId);
    }

    public async Task DisposeAsync()
    {
        await DisposeBackendAsync();
        if (services is not null)
        {
            await services.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_fresh_cluster_reads_as_version_zero_with_no_members()
    {
        var all = await Table.ReadAllAsync();

        Assert.Empty(all.Members);
        Assert.Equal(0, all.Version.Version);
        Assert.False(string.IsNullOrEmpty(all.Version.VersionEtag));

        var row = await Table.ReadRowAsync(NewEntry().SiloAddress);
        Assert.Empty(row.Members);
        Assert.Equal(all.Version, row.Version);
    }

    [Fact]
    public async Task An_inserted_row_reads_back_whole_from_ReadAll_and_ReadRow()
    {
        var before = (await Table.ReadAllAsync()).Version;
        var entry = NewEntry(SiloStatus.Active, votes: 2);

        Assert.True(await Table.InsertRowAsync(entry, before.Next()));

        var all = await Table.ReadAllAsync();
        Assert.Equal(1, all.Version.Version);
        Assert.NotEqual(before.VersionEtag, all.Version.VersionEtag);
        var (read, etag) = Assert.Single(all.Members);
        AssertSameEntry(entry, read);
        Assert.False(string.IsNullOrEmpty(etag));

        var row = await Table.ReadRowAsync(entry.SiloAddress);
        Assert.Equal(all.Version, row.Version);
        var (readRow, rowETag) = Assert.Single(row.Members);
        AssertSameEntry(entry, readRow);
        Assert.Equal(etag, rowETag);
    }

    [Fact]
    public async Task Absent_optional_fields_read_back_absent()
    {
        var entry = NewEntry();
        entry.SuspectTimes = null;
        entry.RoleName = null;
        entry.UpdateZone = 0;
        entry.FaultZone = 0;

        await InsertAsync(Table, entry);

        var (read, _) = Assert.Single((await Table.ReadAllAsync()).Members);
        Assert.Null(read.SuspectTimes);
        Assert.Null(read.RoleName);
        AssertSameEntry(entry, read);
    }

    [Fact]
    public async Task A_second_insert_of_the_same_silo_is_refused_even_at_the_current_version()
    {
        var entry = NewEntry();
        var first = (await Table.ReadAllAsync()).Version.Next();
        Assert.True(await Table.InsertRowAsync(entry, first));
        var afterFirst = await Table.ReadAllAsync();

        // The same version again: stale, and a duplicate.
        Assert.False(await Table.InsertRowAsync(entry, first));
        // The current version: only a duplicate.
        var changed = Copy(entry);
        changed.Status = SiloStatus.Active;
        Assert.False(await Table.InsertRowAsync(changed, afterFirst.Version.Next()));

        var after = await Table.ReadAllAsync();
        Assert.Equal(afterFirst.Version, after.Version);
        var (read, etag) = Assert.Single(after.Members);
        Assert.Equal(SiloStatus.Joining, read.Status);
        Assert.Equal(afterFirst.Members[0].Item2, etag);
    }

    [Fact]
    public async Task An_insert_from_a_stale_table_version_is_refused_and_changes_nothing()
    {
        var start = (await Table.ReadAllAsync()).Version;
        var first = NewEntry();
        var second = NewEntry();
        Assert.True(await Table.InsertRowAsync(first, start.Next()));
        var afterFirst = (await Table.ReadAllAsync()).Version;

        Assert.False(await Table.InsertRowAsync(second, start.Next()));

        var after = await Table.ReadAllAsync();
        Assert.Equal(afterFirst, after.Version);
        Assert.Equal(first.SiloAddress, Assert.Single(after.Members).Item1.SiloAddress);
        Assert.Empty((await Table.ReadRowAsync(second.SiloAddress)).Members);
    }

    [Fact]
    public async Task An_update_with_a_stale_row_etag_is_refused_and_changes_nothing()
    {
        var entry = NewEntry();
        await InsertAsync(Table, entry);
        var read = await Table.ReadAllAsync();
        var firstETag = read.Members[0].Item2;

        var active = Copy(entry);
        active.Status = SiloStatus.Active;
        Assert.True(await Table.UpdateRowAsync(active, firstETag, read.Version.Next()));
        var afterUpdate = await Table.ReadAllAsync();
        var secondETag = afterUpdate.Members[0].Item2;
        Assert.NotEqual(firstETag, secondETag);
        Assert.Equal(2, afterUpdate.Version.Version);

        var stale = Copy(entry);
        stale.Status = SiloStatus.ShuttingDown;
        Assert.False(await Table.UpdateRowAsync(stale, firstETag, afterUpdate.Version.Next()));

        var after = await Table.ReadAllAsync();
        Assert.Equal(afterUpdate.Version, after.Version);
        var (current, etag) = Assert.Single(after.Members);
        Assert.Equal(SiloStatus.Active, current.Status);
        Assert.Equal(secondETag, etag);
    }

    [Fact]
    public async Task An_update_from_a_stale_table_version_is_refused_and_changes_nothing()
    {
        var entry = NewEntry();
        await InsertAsync(Table, entry);
        var afterInsert = await Table.ReadAllAsync();
        var etag = afterInsert.Members[0].Item2;
        // Another silo joins: the table moves on, this silo's row does not.
        await InsertAsync(Table, NewEntry());
        var current = await Table.ReadAllAsync();

        var active = Copy(entry);
        active.Status = SiloStatus.Active;
        Assert.False(await Table.UpdateRowAsync(active, etag, afterInsert.Version.Next()));

        var after = await Table.ReadAllAsync();
        Assert.Equal(current.Version, after.Version);
        var row = after.TryGet(entry.SiloAddress);
        Assert.NotNull(row);
        Assert.Equal(SiloStatus.Joining, row.Item1.Status);
        Assert.Equal(etag, row.Item2);

        // The same update from the current version goes through.
        Assert.True(await Table.UpdateRowAsync(active, etag, current.Version.Next()));
        Assert.Equal(SiloStatus.Active, (await Table.ReadAllAsync()).TryGet(entry.SiloAddress)?.Item1.Status);
    }

    [Fact]
    public async Task An_update_of_a_silo_without_a_row_is_refused_and_creates_none()
    {
        await InsertAsync(Table, NewEntry());
        var before = await Table.ReadAllAsync();
        var ghost = NewEntry();

        Assert.False(await Table.UpdateRowAsync(ghost, before.Members[0].Item2, before.Version.Next()));

        var after = await Table.ReadAllAsync();
        Assert.Equal(before.Version, after.Version);
        Assert.Null(after.TryGet(ghost.SiloAddress));
    }

    [Fact]
    public async Task An_update_replaces_the_whole_entry()
    {
        var entry = NewEntry(SiloStatus.Active, votes: 3);
        await InsertAsync(Table, entry);
        var read = await Table.ReadAllAsync();

        var replacement = Copy(entry);
        replacement.Status = SiloStatus.Dead;
        replacement.SuspectTimes = [Tuple.Create(NewEntry().SiloAddress, Now().AddSeconds(7))];
        replacement.RoleName = null;
        replacement.HostName = "moved-host";
        replacement.ProxyPort = 0;
        replacement.UpdateZone = 11;
        replacement.FaultZone = 12;
        replacement.IAmAliveTime = Now().AddSeconds(9);
        Assert.True(await Table.UpdateRowAsync(replacement, read.Members[0].Item2, read.Version.Next()));

        var (after, _) = Assert.Single((await Table.ReadAllAsync()).Members);
        AssertSameEntry(replacement, after);
    }

    [Fact]
    public async Task Twenty_racing_writers_each_land_exactly_once_and_the_table_ends_at_version_twenty()
    {
        // Four silos' views of one cluster, so the race is between table instances, not inside one.
        IMembershipTable[] silos = [Table, await NewTableAsync(ClusterId), await NewTableAsync(ClusterId), await NewTableAsync(ClusterId)];
        var entry = NewEntry(SiloStatus.Active);
        var start = (await Table.ReadAllAsync()).Version.Next();

        // Twenty inserts of one row from the same version: exactly one wins.
        var inserts = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => silos[i % silos.Length].InsertRowAsync(entry, start))));
        Assert.Single(inserts, inserted => inserted);

        // Nineteen read-modify-write loops, each adding its own suspect vote, retried until it lands. A write that
        // reported false but landed would add its vote twice; a lost update would drop one.
        var voters = Enumerable.Range(0, 19).Select(_ => NewEntry().SiloAddress).ToArray();
        await Task.WhenAll(voters.Select((voter, i) => Task.Run(async () =>
        {
            var silo = silos[i % silos.Length];
            for (var attempt = 1; ; attempt++)
            {
                Assert.True(attempt <= 500, $"voter {i} did not land in 500 attempts");
                var data = await silo.ReadAllAsync();
                var (current, etag) = data.TryGet(entry.SiloAddress) ?? throw new InvalidOperationException("The row vanished.");
                var next = Copy(current);
                next.AddSuspector(voter, Now());
                if (await silo.UpdateRowAsync(next, etag, data.Version.Next()))
                {
                    return;
                }
            }
        }))).WaitAsync(TimeSpan.FromMinutes(2));

        var final = await Table.ReadAllAsync();
        Assert.Equal(20, final.Version.Version);
        var (row, _) = Assert.Single(final.Members);
        Assert.NotNull(row.SuspectTimes);
        Assert.Equal(voters.Order(), row.SuspectTimes.Select(vote => vote.Item1).Order());
    }

    [Fact]
    public async Task ReadAll_and_ReadRow_are_snapshots_even_while_writers_race()
    {
        // Every write stamps the version it creates into the entry's UpdateZone. In a true snapshot of version V
        // the newest member carries exactly V: one carrying more was read after a write the version row was read
        // before, and carrying less means the other way round.
        var silos = new[] { NewEntry(), NewEntry(), NewEntry() };
        foreach (var silo in silos)
        {
            var version = (await Table.ReadAllAsync()).Version.Next();
            silo.UpdateZone = version.Version;
            Assert.True(await Table.InsertRowAsync(silo, version));
        }

        var writers = silos.Select(silo => Task.Run(async () =>
        {
            var writer = await NewTableAsync(ClusterId);
            for (int landed = 0, attempt = 1; landed < 12; attempt++)
            {
                Assert.True(attempt <= 500, $"writer of {silo.SiloAddress} landed only {landed} updates in 500 attempts");
                var data = await writer.ReadAllAsync();
                var (current, etag) = data.TryGet(silo.SiloAddress)!;
                var next = Copy(current);
                var version = data.Version.Next();
                next.UpdateZone = version.Version;
                next.IAmAliveTime = Now();
                if (await writer.UpdateRowAsync(next, etag, version))
                {
                    landed++;
                }
            }
        })).ToArray();
        var allWriters = Task.WhenAll(writers);

        var snapshots = 0;
        var reader = await NewTableAsync(ClusterId);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!allWriters.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "the writers did not finish within two minutes");
            var all = await reader.ReadAllAsync();
            Assert.Equal(3, all.Members.Count);
            Assert.Equal(all.Version.Version, all.Members.Max(member => member.Item1.UpdateZone));

            var row = await reader.ReadRowAsync(silos[snapshots % silos.Length].SiloAddress);
            var (member, _) = Assert.Single(row.Members);
            Assert.True(member.UpdateZone <= row.Version.Version, $"row written at {member.UpdateZone} read with version {row.Version}");
            snapshots++;
        }

        await allWriters;
        Assert.True(snapshots > 0, "the reader never ran while the writers did");
        Assert.Equal(3 + 36, (await Table.ReadAllAsync()).Version.Version);
    }

    [Fact]
    public async Task UpdateIAmAlive_changes_only_the_alive_time()
    {
        var entry = NewEntry(SiloStatus.Active, votes: 1);
        await InsertAsync(Table, entry);
        var before = await Table.ReadAllAsync();
        var etag = before.Members[0].Item2;
        var alive = entry.IAmAliveTime.AddSeconds(5).AddMilliseconds(321);

        // What Orleans' membership agent passes: the address and the new time, every other field at its default.
        await Table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = entry.SiloAddress, IAmAliveTime = alive });

        var after = await Table.ReadAllAsync();
        Assert.Equal(before.Version, after.Version);
        var (read, etagAfter) = Assert.Single(after.Members);
        var expected = Copy(entry);
        expected.IAmAliveTime = alive;
        AssertSameEntry(expected, read);
        Assert.Equal(etag, etagAfter);

        // The etag really is unchanged: an update made with it still goes through.
        var shuttingDown = Copy(expected);
        shuttingDown.Status = SiloStatus.ShuttingDown;
        Assert.True(await Table.UpdateRowAsync(shuttingDown, etag, after.Version.Next()));
    }

    [Fact]
    public async Task UpdateIAmAlive_of_a_silo_without_a_row_creates_none()
    {
        var before = await Table.ReadAllAsync();
        var ghost = NewEntry();

        // Orleans lets a backend either ignore this or fail it; neither may leave a row behind.
        _ = await Record.ExceptionAsync(() => Table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = ghost.SiloAddress, IAmAliveTime = Now() }));

        var after = await Table.ReadAllAsync();
        Assert.Empty(after.Members);
        Assert.Equal(before.Version, after.Version);
        Assert.Empty((await Table.ReadRowAsync(ghost.SiloAddress)).Members);
    }

    [Fact]
    public async Task Cleanup_removes_only_dead_silos_whose_last_known_update_is_old()
    {
        // Orleans 10.4's rule (its in-memory and Azure tables): Dead, and the latest of StartTime, IAmAliveTime and
        // every suspect vote before the cut-off. Earlier Orleans swept every status but Active; 10.4's cleanup
        // agent keeps a budget of recent dead rows and relies on nothing else disappearing.
        var now = Now();
        var cutoff = now.AddDays(-3);
        var expectedGone = new List<MembershipEntry>();
        var expectedKept = new List<MembershipEntry> { NewEntry(SiloStatus.Joining), NewEntry(SiloStatus.Dead) };

        // Ten days silent, one of each status: only the Dead one goes.
        foreach (var status in Enum.GetValues<SiloStatus>())
        {
            var entry = Silent(NewEntry(status), now.AddDays(-10));
            (status == SiloStatus.Dead ? expectedGone : expectedKept).Add(entry);
        }

        // Dead and silent for ten days, but voted dead an hour ago: that vote is its last known update.
        var recentlyDeclared = Silent(NewEntry(SiloStatus.Dead), now.AddDays(-10));
        recentlyDeclared.SuspectTimes = [Tuple.Create(NewEntry().SiloAddress, now.AddHours(-1))];
        expectedKept.Add(recentlyDeclared);

        // Dead and never heard from since a start two days ago: the start counts.
        var recentlyStarted = Silent(NewEntry(SiloStatus.Dead), now.AddDays(-10));
        recentlyStarted.StartTime = now.AddDays(-2);
        expectedKept.Add(recentlyStarted);

        // Dead, with votes as old as its heartbeat: gone.
        var oldVotes = Silent(NewEntry(SiloStatus.Dead), now.AddDays(-10));
        oldVotes.SuspectTimes = [Tuple.Create(NewEntry().SiloAddress, now.AddDays(-9))];
        expectedGone.Add(oldVotes);

        foreach (var entry in expectedKept.Concat(expectedGone))
        {
            await InsertAsync(Table, entry);
        }

        var before = await Table.ReadAllAsync();
        Assert.Equal(expectedKept.Count + expectedGone.Count, before.Members.Count);

        await Table.CleanupDefunctSiloEntriesAsync(cutoff);

        var after = await Table.ReadAllAsync();
        Assert.Equal(expectedKept.Select(entry => entry.SiloAddress).Order(), after.Members.Select(member => member.Item1.SiloAddress).Order());

        // Cleanup is not a membership change, and the version row is no silo to sweep.
        Assert.Equal(before.Version, after.Version);
        await InsertAsync(Table, NewEntry());
        Assert.Equal(before.Version.Version + 1, (await Table.ReadAllAsync()).Version.Version);

        static MembershipEntry Silent(MembershipEntry entry, DateTime since)
        {
            entry.StartTime = since.AddHours(-1);
            entry.IAmAliveTime = since;
            return entry;
        }
    }

    [Fact]
    public async Task Deleting_a_clusters_entries_removes_all_of_its_rows_and_nothing_of_another_cluster()
    {
        var other = await NewTableAsync("conformance-other-" + Guid.NewGuid().ToString("N"));
        var otherEntry = NewEntry(SiloStatus.Active);
        await InsertAsync(other, otherEntry);
        var otherBefore = await other.ReadAllAsync();

        // More rows than one batch of deletes holds.
        var entries = Enumerable.Range(0, 30).Select(_ => NewEntry()).ToList();
        foreach (var entry in entries)
        {
            await InsertAsync(Table, entry);
        }

        Assert.Equal(30, (await Table.ReadAllAsync()).Members.Count);

        await Table.DeleteMembershipTableEntriesAsync(ClusterId);

        Assert.Empty((await Table.ReadAllAsync()).Members);
        foreach (var entry in entries.Take(3))
        {
            Assert.Empty((await Table.ReadRowAsync(entry.SiloAddress)).Members);
        }

        var otherAfter = await other.ReadAllAsync();
        Assert.Equal(otherBefore.Version, otherAfter.Version);
        Assert.Equal(otherEntry.SiloAddress, Assert.Single(otherAfter.Members).Item1.SiloAddress);

        // The next silo to start begins the cluster again from version zero.
        await Table.InitializeMembershipTableAsync(true);
        var restarted = await Table.ReadAllAsync();
        Assert.Equal(0, restarted.Version.Version);
        Assert.Empty(restarted.Members);
        await InsertAsync(Table, NewEntry());
        Assert.Equal(1, (await Table.ReadAllAsync()).Version.Version);
    }

    [Fact]
    public async Task Another_silo_initializing_keeps_the_version_and_the_rows()
    {
        var entry = NewEntry(SiloStatus.Active, votes: 1);
        await InsertAsync(Table, entry);
        await InsertAsync(Table, NewEntry());
        var before = await Table.ReadAllAsync();

        var second = await NewTableAsync(ClusterId);

        var seen = await second.ReadAllAsync();
        Assert.Equal(before.Version, seen.Version);
        Assert.Equal(2, seen.Members.Count);
        var row = seen.TryGet(entry.SiloAddress);
        Assert.NotNull(row);
        AssertSameEntry(entry, row.Item1);
        Assert.Equal(before.TryGet(entry.SiloAddress)!.Item2, row.Item2);
    }

    [Fact]
    public async Task The_gateway_list_holds_exactly_the_active_silos_at_their_proxy_ports()
    {
        var active = Enumerable.Range(0, 3).Select(_ => NewEntry(SiloStatus.Active)).ToList();
        var activeWithoutGateway = NewEntry(SiloStatus.Active);
        activeWithoutGateway.ProxyPort = 0;
        var others = new[] { SiloStatus.Created, SiloStatus.Joining, SiloStatus.ShuttingDown, SiloStatus.Stopping, SiloStatus.Dead }
            .Select(status => NewEntry(status))
            .ToList();
        foreach (var entry in active.Append(activeWithoutGateway).Concat(others))
        {
            await InsertAsync(Table, entry);
        }

        var provider = CreateGatewayListProvider(Services, ClusterOptionsFor(ClusterId),
            Options.Create(new GatewayOptions { GatewayListRefreshPeriod = GatewayListRefreshPeriod }));
        await provider.InitializeGatewayListProviderAsync();
        Assert.Equal(GatewayListRefreshPeriod, provider.MaxStaleness);

        // Clients connect to the proxy port, which differs from the silo port the row is keyed by.
        Assert.Equal(active.Select(GatewayUri).Order(), (await provider.GetGatewaysAsync()).Select(uri => uri.ToString()).Order());

        // A silo declared dead leaves the list at the next read.
        var data = await Table.ReadAllAsync();
        var dead = Copy(active[0]);
        dead.Status = SiloStatus.Dead;
        Assert.True(await Table.UpdateRowAsync(dead, data.TryGet(dead.SiloAddress)!.Item2, data.Version.Next()));
        Assert.Equal(active.Skip(1).Select(GatewayUri).Order(), (await provider.GetGatewaysAsync()).Select(uri => uri.ToString()).Order());

        // Another cluster's gateways are not this one's.
        var otherProvider = CreateGatewayListProvider(Services, ClusterOptionsFor("conformance-other-" + Guid.NewGuid().ToString("N")),
            Options.Create(new GatewayOptions()));
        await otherProvider.InitializeGatewayListProviderAsync();
        Assert.Empty(await otherProvider.GetGatewaysAsync());
    }

    /// <summary>Another silo's table for <paramref name="clusterId"/>, initialized as Orleans does at silo start.</summary>
    protected async Task<IMembershipTable> NewTableAsync(string clusterId)
    {
        var created = CreateMembershipTable(Services, ClusterOptionsFor(clusterId));
        await created.InitializeMembershipTableAsync(true);
        return created;
    }

    protected static IOptions<ClusterOptions> ClusterOptionsFor(string clusterId) =>
        Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "conformance" });

    /// <summary>Inserts at the table's current version, which must succeed.</summary>
    protected static async Task InsertAsync(IMembershipTable table, MembershipEntry entry)
    {
        var version = (await table.ReadAllAsync()).Version;
        Assert.True(await table.InsertRowAsync(entry, version.Next()), $"InsertRow of {entry.SiloAddress} at {version.Next()} failed");
    }

    /// <summary>
    /// A silo nobody else uses, with every field set: loopback with a silo port and a different proxy port, times in
    /// whole milliseconds (what a store with millisecond precision keeps) and, if asked, suspect votes.
    /// </summary>
    protected static MembershipEntry NewEntry(SiloStatus status = SiloStatus.Joining, int votes = 0)
    {
        var n = Interlocked.Increment(ref generation);
        var now = Now();
        return new MembershipEntry
        {
            SiloAddress = SiloAddress.New(IPAddress.Loopback, 11_000 + (n % 1_000), n),
            Status = status,
            ProxyPort = 30_000 + (n % 1_000),
            HostName = $"host-{n}",
            SiloName = $"silo-{n}",
            RoleName = "payapi",
            UpdateZone = 2,
            FaultZone = 3,
            StartTime = now.AddMinutes(-5),
            IAmAliveTime = now,
            SuspectTimes = votes == 0
                ? null
                : [.. Enumerable.Range(1, votes).Select(i => Tuple.Create(SiloAddress.New(IPAddress.Loopback, 12_000 + i, n + i), now.AddSeconds(-i)))],
        };
    }

    protected static MembershipEntry Copy(MembershipEntry entry) => new()
    {
        SiloAddress = entry.SiloAddress,
        Status = entry.Status,
        SuspectTimes = entry.SuspectTimes is null ? null : [.. entry.SuspectTimes],
        ProxyPort = entry.ProxyPort,
        HostName = entry.HostName,
        SiloName = entry.SiloName,
        RoleName = entry.RoleName,
        UpdateZone = entry.UpdateZone,
        FaultZone = entry.FaultZone,
        StartTime = entry.StartTime,
        IAmAliveTime = entry.IAmAliveTime,
    };

    protected static DateTime Now()
    {
        var ticks = DateTime.UtcNow.Ticks;
        return new DateTime(ticks - (ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
    }

    protected static void AssertSameEntry(MembershipEntry expected, MembershipEntry actual)
    {
        Assert.Equal(expected.SiloAddress, actual.SiloAddress);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.ProxyPort, actual.ProxyPort);
        Assert.Equal(expected.HostName, actual.HostName);
        Assert.Equal(expected.SiloName, actual.SiloName);
        Assert.Equal(expected.RoleName, actual.RoleName);
        Assert.Equal(expected.UpdateZone, actual.UpdateZone);
        Assert.Equal(expected.FaultZone, actual.FaultZone);
        Assert.Equal(expected.StartTime, actual.StartTime);
        Assert.Equal(expected.IAmAliveTime, actual.IAmAliveTime);
        Assert.Equal(expected.SuspectTimes?.Select(vote => (vote.Item1, vote.Item2)), actual.SuspectTimes?.Select(vote => (vote.Item1, vote.Item2)));
        // Orleans' own test compares this form of the entry.
        Assert.Equal(expected.ToFullString(), actual.ToFullString());
    }

    private static string GatewayUri(MembershipEntry entry) =>
        SiloAddress.New(entry.SiloAddress.Endpoint.Address, entry.ProxyPort, entry.SiloAddress.Generation).ToGatewayUri().ToString();
}
