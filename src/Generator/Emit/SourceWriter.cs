using System;
using System.Text;

namespace StochasticBackprop.Generator.Emit;

/// <summary>A small indented text writer for emitted code (always \n line endings).</summary>
internal sealed class SourceWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder builder = new();
    private int depth;

    public void Line(string text = "")
    {
        if (text.Length > 0)
        {
            for (int i = 0; i < depth; i++) builder.Append(IndentUnit);
            builder.Append(text);
        }
        builder.Append('\n');
    }

    /// <summary>Writes several lines (a raw string literal's content), each at the current indentation.</summary>
    public void Lines(string text)
    {
        foreach (string line in text.Replace("\r\n", "\n").Split('\n'))
        {
            Line(line);
        }
    }

    /// <summary>
    /// Writes a raw-string template, each line at the current indentation; a hole holding several lines indents each
    /// of them like its own line (see <see cref="TemplateHandler"/>).
    /// </summary>
    public void Lines(ref TemplateHandler template)
    {
        foreach (string line in template.Lines())
        {
            Line(line);
        }
    }

    public void OpenBrace()
    {
        Line("{");
        depth++;
    }

    public void CloseBrace(string suffix = "")
    {
        depth--;
        Line("}" + suffix);
    }

    public IDisposable Block()
    {
        OpenBrace();
        return new Closer(this);
    }

    public override string ToString() => builder.ToString();

    private sealed class Closer : IDisposable
    {
        private readonly SourceWriter writer;

        public Closer(SourceWriter writer) => this.writer = writer;

        public void Dispose() => writer.CloseBrace();
    }
}
