using System.Text.RegularExpressions;

namespace PayApi.Deploy.Tests;

/// <summary>deploy/Dockerfile read into its stages and instructions (continuation lines joined, comments dropped).</summary>
internal sealed partial class Dockerfile
{
    private Dockerfile(IReadOnlyList<Stage> stages, IReadOnlyDictionary<string, string> args)
    {
        Stages = stages;
        Args = args;
    }

    public sealed record Instruction(string Keyword, string Arguments);

    public sealed record Stage(string Image, string? Name, IReadOnlyList<Instruction> Instructions)
    {
        public IEnumerable<string> All(string keyword) =>
            Instructions.Where(i => i.Keyword.Equals(keyword, StringComparison.OrdinalIgnoreCase)).Select(i => i.Arguments);

        public string? Last(string keyword) => All(keyword).LastOrDefault();

        /// <summary>The ENV instructions' pairs (<c>ENV A=1 B=2</c> form).</summary>
        public Dictionary<string, string> Environment() =>
            All("ENV").SelectMany(a => EnvPair().Matches(a)).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
    }

    public IReadOnlyList<Stage> Stages { get; }

    /// <summary>The ARGs declared before the first FROM, with their defaults.</summary>
    public IReadOnlyDictionary<string, string> Args { get; }

    public Stage Final => Stages[^1];

    public static Dockerfile Load(string path)
    {
        var logical = new List<string>();
        var current = "";
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.TrimEnd();
            if (current.Length == 0 && (line.TrimStart().StartsWith('#') || line.Trim().Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }

            logical.Add(current + line);
            current = "";
        }

        var args = new Dictionary<string, string>();
        var stages = new List<Stage>();
        List<Instruction>? instructions = null;
        foreach (var line in logical.Select(l => l.Trim()))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var keyword = line[..space].ToUpperInvariant();
            var rest = MultipleSpaces().Replace(line[(space + 1)..].Trim(), " ");
            if (keyword == "FROM")
            {
                var parts = rest.Split(' ');
                var image = ArgReference().Replace(parts[0], m => args.GetValueOrDefault(m.Groups[1].Value, m.Value));
                instructions = [];
                stages.Add(new Stage(image, parts.Length >= 3 && parts[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? parts[2] : null, instructions));
            }
            else if (instructions is null)
            {
                if (keyword == "ARG" && rest.Split('=', 2) is [var name, var value])
                {
                    args[name] = value;
                }
            }
            else
            {
                instructions.Add(new Instruction(keyword, rest));
            }
        }

        return new Dockerfile(stages, args);
    }

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)=(\S+)")]
    private static partial Regex EnvPair();

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex ArgReference();

    [GeneratedRegex(@"\s+")]
    private static partial Regex MultipleSpaces();
}
