namespace PayApi.Scraping;

/// <summary>
/// Artifacts as files under <c>&lt;DataDir&gt;/artifacts</c>: folders 0700, files 0600, written to a temporary
/// name and renamed so a reader never sees half a file. The write time comes from the <see cref="TimeProvider"/>.
/// </summary>
public sealed class LocalArtifactStore : IArtifactStore
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const string TempSuffix = ".partial";

    private readonly string _root;
    private readonly TimeProvider _time;

    public LocalArtifactStore(string root, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = Path.GetFullPath(root);
        _time = time;
    }

    public string Root => _root;

    public async Task PutAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken ct = default)
    {
        var path = PathOf(key);
        CreateFolders(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}{TempSuffix}";
        try
        {
            var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = FileMode;
            }

            await using (var stream = new FileStream(temp, options))
            {
                await stream.WriteAsync(bytes, ct).ConfigureAwait(false);
                await stream.FlushAsync(ct).ConfigureAwait(false);
            }

            File.SetLastWriteTimeUtc(temp, _time.GetUtcNow().UtcDateTime);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken ct = default)
    {
        var path = PathOf(key);
        try
        {
            return await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public Task<IReadOnlyList<ArtifactInfo>> ListAsync(string prefix, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        // Start from the deepest folder the prefix names, so listing one connection does not walk them all.
        var folder = _root;
        if (prefix.Length > 0)
        {
            var segments = ArtifactKey.Validate(prefix, allowTrailingSlash: true);
            var folderSegments = prefix.EndsWith('/') ? segments : segments[..^1];
            folder = Path.Combine([_root, .. folderSegments]);
        }

        var result = new List<ArtifactInfo>();
        if (Directory.Exists(folder))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            {
                ct.ThrowIfCancellationRequested();
                if (file.EndsWith(TempSuffix, StringComparison.Ordinal))
                {
                    continue;
                }

                var key = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
                if (!key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var info = new FileInfo(file);
                if (info.Exists)
                {
                    result.Add(new ArtifactInfo(key, info.Length, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero)));
                }
            }
        }

        result.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return Task.FromResult<IReadOnlyList<ArtifactInfo>>(result);
    }

    public Task<bool> DeleteAsync(string key, CancellationToken ct = default)
    {
        var path = PathOf(key);
        if (!File.Exists(path))
        {
            return Task.FromResult(false);
        }

        File.Delete(path);
        return Task.FromResult(true);
    }

    private string PathOf(string key)
    {
        var segments = ArtifactKey.Validate(key);
        var path = Path.GetFullPath(Path.Combine([_root, .. segments]));
        // Belt and braces: the segment rules already forbid escaping, this catches any rule mistake.
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException("The artifact key leaves the artifact folder.", nameof(key));
        }

        return path;
    }

    private void CreateFolders(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }

        // Create each level with 0700 ourselves: CreateDirectory's mode applies only to the folders it makes.
        var relative = Path.GetRelativePath(Path.GetDirectoryName(_root)!, folder);
        var current = Path.GetDirectoryName(_root)!;
        foreach (var part in relative.Split(Path.DirectorySeparatorChar))
        {
            current = Path.Combine(current, part);
            if (!Directory.Exists(current))
            {
                Directory.CreateDirectory(current, FolderMode);
            }
        }
    }
}
