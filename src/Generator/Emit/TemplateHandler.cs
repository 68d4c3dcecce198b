using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace StochasticBackprop.Generator.Emit;

/// <summary>
/// Builds a raw-string member template for <see cref="SourceWriter.Lines(ref TemplateHandler)"/>, so a writer's
/// template reads as the C# it generates. A hole whose value spans several lines (the rows of an array, the cases of
/// a switch, the lines of a doc comment) gets the indentation of the line it sits on, on each of its lines; a hole
/// given a sequence of no lines takes its line with it.
/// </summary>
[InterpolatedStringHandler]
internal ref struct TemplateHandler
{
    private readonly StringBuilder builder;

    /// <summary>Lines (by index) that held only an empty sequence of lines: dropped when they hold nothing else.</summary>
    private readonly HashSet<int> droppable;

    private int line;

    public TemplateHandler(int literalLength, int formattedCount)
    {
        builder = new StringBuilder(literalLength + 48 * formattedCount);
        droppable = new HashSet<int>();
        line = 0;
    }

    public void AppendLiteral(string text)
    {
        text = text.Replace("\r\n", "\n");
        builder.Append(text);
        line += Count(text, '\n');
    }

    public void AppendFormatted(string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            AppendLines(text!.Split('\n'));
        }
    }

    public void AppendFormatted(int value) => builder.Append(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Several lines, one per item; none at all removes the hole's line.</summary>
    public void AppendFormatted(IEnumerable<string> lines)
    {
        var list = new List<string>(lines);
        if (list.Count == 0)
        {
            droppable.Add(line);
            return;
        }
        AppendLines(list);
    }

    /// <summary>The template's lines, after the holes are filled.</summary>
    public List<string> Lines()
    {
        string[] lines = builder.ToString().Split('\n');
        var kept = new List<string>(lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            if (!droppable.Contains(i) || lines[i].Trim().Length > 0)
            {
                kept.Add(lines[i]);
            }
        }
        return kept;
    }

    private void AppendLines(IReadOnlyList<string> lines)
    {
        string indent = CurrentIndent();
        for (int i = 0; i < lines.Count; i++)
        {
            if (i > 0)
            {
                builder.Append('\n');
                line++;
                if (lines[i].Length > 0)
                {
                    builder.Append(indent);
                }
            }
            builder.Append(lines[i]);
        }
    }

    /// <summary>The leading spaces of the line being built.</summary>
    private string CurrentIndent()
    {
        int start = builder.Length;
        while (start > 0 && builder[start - 1] != '\n')
        {
            start--;
        }
        int end = start;
        while (end < builder.Length && builder[end] == ' ')
        {
            end++;
        }
        return builder.ToString(start, end - start);
    }

    private static int Count(string text, char c)
    {
        int count = 0;
        foreach (char ch in text)
        {
            if (ch == c) count++;
        }
        return count;
    }
}
