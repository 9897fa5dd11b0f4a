using System.Globalization;
using System.Text.RegularExpressions;

/// <summary>
/// A process's resident memory split by what holds it, read from <c>/proc/PID/smaps</c>: the GC heap (the run
/// of adjacent anonymous mappings that is the GC's address-space reservation, by far the largest one), mapped
/// files (assemblies, native libraries: mostly shared, constant), and the other anonymous memory (native:
/// malloc, thread stacks, JIT code, runtime data structures). Valid on the GC's default reservation (twice the
/// machine's memory or more); under a GC heap hard limit the reservation shrinks and is not recognised.
/// </summary>
internal readonly partial record struct ResidentMemory(long TotalKiB, long GcHeapKiB, long FilesKiB)
{
    public long NativeKiB => TotalKiB - GcHeapKiB - FilesKiB;

    public static ResidentMemory Of(int processId)
    {
        var blocks = new List<(ulong Start, ulong End, bool Anonymous, bool File, long RssKiB)>();
        foreach (var line in File.ReadLines($"/proc/{processId}/smaps"))
        {
            var mapping = MappingLine().Match(line);
            if (mapping.Success)
            {
                var (start, end) = (ulong.Parse(mapping.Groups[1].Value, NumberStyles.HexNumber), ulong.Parse(mapping.Groups[2].Value, NumberStyles.HexNumber));
                var path = mapping.Groups[3].Value.Trim();
                // Adjacent anonymous mappings are one reservation split by the protections committed into it.
                if (path.Length == 0 && blocks.Count > 0 && blocks[^1].Anonymous && blocks[^1].End == start)
                {
                    blocks[^1] = blocks[^1] with { End = end };
                }
                else
                {
                    blocks.Add((start, end, path.Length == 0, path.Length > 0 && path[0] != '[', 0));
                }
            }
            else if (line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                blocks[^1] = blocks[^1] with { RssKiB = blocks[^1].RssKiB + long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) };
            }
        }

        var gcReservation = blocks.Where(b => b.Anonymous).MaxBy(b => b.End - b.Start);
        return new ResidentMemory(blocks.Sum(b => b.RssKiB), gcReservation.RssKiB, blocks.Where(b => b.File).Sum(b => b.RssKiB));
    }

    [GeneratedRegex(@"^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+(.*)$")]
    private static partial Regex MappingLine();
}
