namespace PayApi.Sandbox.Stripe;

/// <summary>
/// One account's objects of one kind, listed newest first as Stripe lists them, that can grow at the new end. Kept
/// oldest first inside so an id's position never moves when newer objects arrive: a dictionary finds a cursor in O(1)
/// and creation times, strictly decreasing down the list, are searched by bisection, so paging through 50,000 charges
/// stays linear overall.
/// </summary>
internal sealed class StripeObjectList<T>
{
    private readonly List<T> _oldestFirst;
    private readonly Dictionary<string, int> _positions;
    private readonly Func<T, string> _id;
    private readonly Func<T, long> _created;
    private readonly Lock _sync = new();

    public StripeObjectList(IReadOnlyList<T> newestFirst, Func<T, string> id, Func<T, long> created)
    {
        _id = id;
        _created = created;
        _oldestFirst = new List<T>(newestFirst.Count);
        _positions = new Dictionary<string, int>(newestFirst.Count, StringComparer.Ordinal);
        for (var i = newestFirst.Count - 1; i >= 0; i--)
        {
            Append(newestFirst[i]);
        }
    }

    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _oldestFirst.Count;
            }
        }
    }

    public Func<T, string> Id => _id;

    /// <summary>The newest object's creation time, or null when there is none.</summary>
    public long? NewestCreated
    {
        get
        {
            lock (_sync)
            {
                return _oldestFirst.Count == 0 ? null : _created(_oldestFirst[^1]);
            }
        }
    }

    /// <summary>Adds objects newer than every one already listed (each strictly newer than the one before).</summary>
    public void AddNewer(IEnumerable<T> items)
    {
        lock (_sync)
        {
            foreach (var item in items)
            {
                if (_oldestFirst.Count > 0 && _created(item) <= _created(_oldestFirst[^1]))
                {
                    throw new ArgumentException("Objects must be added newest last, each strictly newer than the one before.", nameof(items));
                }

                Append(item);
            }
        }
    }

    /// <summary>Runs <paramref name="read"/> over a consistent view: no object is added while it runs.</summary>
    public TResult Read<TResult>(Func<View, TResult> read)
    {
        lock (_sync)
        {
            return read(new View(this));
        }
    }

    private void Append(T item)
    {
        _positions.Add(_id(item), _oldestFirst.Count);
        _oldestFirst.Add(item);
    }

    /// <summary>The list as Stripe shows it, newest first (index 0 is the newest), valid only inside <see cref="Read"/>.</summary>
    public readonly struct View
    {
        private readonly StripeObjectList<T> _list;

        public View(StripeObjectList<T> list) => _list = list;

        public int Count => _list._oldestFirst.Count;

        public T this[int index] => _list._oldestFirst[Count - 1 - index];

        public long CreatedAt(int index) => _list._created(this[index]);

        /// <summary>The newest-first index of an id, or -1.</summary>
        public int IndexOf(string id) => _list._positions.TryGetValue(id, out var position) ? Count - 1 - position : -1;

        /// <summary>The first index whose object was created at or before <paramref name="unix"/> (or strictly before when not inclusive).</summary>
        public int FirstCreatedBefore(long unix, bool inclusive)
        {
            int lo = 0, hi = Count;
            while (lo < hi)
            {
                var mid = lo + ((hi - lo) / 2);
                var created = CreatedAt(mid);
                if (inclusive ? created <= unix : created < unix)
                {
                    hi = mid;
                }
                else
                {
                    lo = mid + 1;
                }
            }

            return lo;
        }
    }
}
