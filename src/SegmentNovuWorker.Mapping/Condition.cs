using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SegmentNovuWorker.Mapping;

/// <summary>
/// A rule's <c>When</c>: <c>properties.total &gt; 0 and context.traits.email exists</c>. The language (docs/mapping.md):
/// <list type="bullet">
/// <item>comparisons <c>== != &gt; &gt;= &lt; &lt;=</c> between paths and literals (<c>'text'</c>, <c>"text"</c>, numbers,
/// <c>true</c>, <c>false</c>, <c>null</c>);</item>
/// <item><c>path exists</c> (present and not null);</item>
/// <item><c>and</c>, <c>or</c>, <c>not</c>, parentheses; <c>and</c> binds tighter than <c>or</c>.</item>
/// </list>
/// A missing path is null: <c>== null</c> holds, <c>!= 'x'</c> holds, and an ordering comparison with it is false.
/// </summary>
public sealed class Condition
{
    readonly Node _root;

    Condition(string text, Node root, IReadOnlyList<EventPath> paths)
    {
        Text = text;
        _root = root;
        Paths = paths;
    }

    public string Text { get; }

    /// <summary>The paths the condition reads, to say why it was false.</summary>
    public IReadOnlyList<EventPath> Paths { get; }

    public bool IsTrue(JsonObject document) => _root.Evaluate(document);

    /// <exception cref="FormatException">Not a condition; the message says where.</exception>
    public static Condition Parse(string text)
    {
        var parser = new ConditionParser(text);
        var root = parser.ParseAll();
        return new Condition(text.Trim(), root, parser.Paths);
    }

    abstract record Node
    {
        public abstract bool Evaluate(JsonObject document);
    }

    sealed record And(Node Left, Node Right) : Node
    {
        public override bool Evaluate(JsonObject document) => Left.Evaluate(document) && Right.Evaluate(document);
    }

    sealed record Or(Node Left, Node Right) : Node
    {
        public override bool Evaluate(JsonObject document) => Left.Evaluate(document) || Right.Evaluate(document);
    }

    sealed record Not(Node Inner) : Node
    {
        public override bool Evaluate(JsonObject document) => !Inner.Evaluate(document);
    }

    sealed record Exists(EventPath Path) : Node
    {
        public override bool Evaluate(JsonObject document) => Path.Resolve(document) is not null;
    }

    sealed record Compare(Operand Left, string Operator, Operand Right) : Node
    {
        public override bool Evaluate(JsonObject document)
        {
            var left = Left.Value(document);
            var right = Right.Value(document);
            return Operator switch
            {
                "==" => AreEqual(left, right),
                "!=" => !AreEqual(left, right),
                _ => Order(left, right) is { } order && Operator switch
                {
                    ">" => order > 0,
                    ">=" => order >= 0,
                    "<" => order < 0,
                    _ => order <= 0,
                },
            };
        }

        static bool AreEqual(JsonNode? a, JsonNode? b)
        {
            if (a is null || b is null)
                return a is null && b is null;
            if (Number(a) is { } x && Number(b) is { } y)
                return x == y;
            return a.GetValueKind() == b.GetValueKind() && JsonNode.DeepEquals(a, b);
        }

        static int? Order(JsonNode? a, JsonNode? b)
        {
            if (Number(a) is { } x && Number(b) is { } y)
                return x.CompareTo(y);
            if (a?.GetValueKind() == JsonValueKind.String && b?.GetValueKind() == JsonValueKind.String)
                return string.CompareOrdinal(a.GetValue<string>(), b.GetValue<string>());
            return null;
        }

        /// <summary>A number, or a string that is one: Segment sources often send amounts as text.</summary>
        static decimal? Number(JsonNode? node) => node?.GetValueKind() switch
        {
            JsonValueKind.Number => node.AsValue().TryGetValue<decimal>(out var d) ? d : (decimal?)null,
            JsonValueKind.String => decimal.TryParse(node.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null,
            _ => null,
        };
    }

    abstract record Operand
    {
        public abstract JsonNode? Value(JsonObject document);
    }

    sealed record PathOperand(EventPath Path) : Operand
    {
        public override JsonNode? Value(JsonObject document) => Path.Resolve(document);
    }

    sealed record Literal(JsonNode? Node) : Operand
    {
        public override JsonNode? Value(JsonObject document) => Node;
    }

    sealed class ConditionParser(string text)
    {
        static readonly string[] Operators = ["==", "!=", ">=", "<=", ">", "<"];
        int _at;

        public List<EventPath> Paths { get; } = [];

        public Node ParseAll()
        {
            if (string.IsNullOrWhiteSpace(text))
                throw Error("a condition cannot be empty");
            var node = ParseOr();
            SkipSpace();
            if (_at < text.Length)
                throw Error($"unexpected '{text[_at..]}'");
            return node;
        }

        Node ParseOr()
        {
            var left = ParseAnd();
            while (TryKeyword("or"))
                left = new Or(left, ParseAnd());
            return left;
        }

        Node ParseAnd()
        {
            var left = ParseUnary();
            while (TryKeyword("and"))
                left = new And(left, ParseUnary());
            return left;
        }

        Node ParseUnary()
        {
            if (TryKeyword("not"))
                return new Not(ParseUnary());
            SkipSpace();
            if (TryChar('('))
            {
                var inner = ParseOr();
                if (!TryChar(')'))
                    throw Error("expected ')'");
                return inner;
            }
            var left = ParseOperand();
            if (TryKeyword("exists"))
                return left is PathOperand p ? new Exists(p.Path) : throw Error("'exists' follows a path");
            SkipSpace();
            var op = Operators.FirstOrDefault(o => string.CompareOrdinal(text, _at, o, 0, o.Length) == 0)
                ?? throw Error("expected a comparison (== != > >= < <=) or 'exists'");
            _at += op.Length;
            return new Compare(left, op, ParseOperand());
        }

        Operand ParseOperand()
        {
            SkipSpace();
            if (_at >= text.Length)
                throw Error("expected a path or a value");
            var c = text[_at];
            if (c is '\'' or '"')
            {
                var end = text.IndexOf(c, _at + 1);
                if (end < 0)
                    throw Error("a string is never closed");
                var value = text[(_at + 1)..end];
                _at = end + 1;
                return new Literal(JsonValue.Create(value));
            }
            if (char.IsDigit(c) || c is '-' or '+' or '.')
            {
                var start = _at;
                _at++;
                while (_at < text.Length && (char.IsDigit(text[_at]) || text[_at] is '.' or 'e' or 'E' or '-' or '+'))
                    _at++;
                if (!decimal.TryParse(text[start.._at], NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                    throw Error($"'{text[start.._at]}' is not a number", start);
                return new Literal(JsonValue.Create(number));
            }
            var word = ReadPathText();
            switch (word)
            {
                case "true": return new Literal(JsonValue.Create(true));
                case "false": return new Literal(JsonValue.Create(false));
                case "null": return new Literal(null);
            }
            try
            {
                var path = EventPath.Parse(word);
                Paths.Add(path);
                return new PathOperand(path);
            }
            catch (FormatException ex)
            {
                throw Error(ex.Message);
            }
        }

        string ReadPathText()
        {
            var start = _at;
            while (_at < text.Length)
            {
                var c = text[_at];
                if (c == '[')
                {
                    var end = text.IndexOf(']', _at);
                    _at = end < 0 ? text.Length : end + 1;
                }
                else if (EventPath.IsNameChar(c) || c == '.')
                    _at++;
                else
                    break;
            }
            if (_at == start)
                throw Error($"unexpected '{text[_at]}'");
            return text[start.._at];
        }

        bool TryKeyword(string keyword)
        {
            SkipSpace();
            var end = _at + keyword.Length;
            if (end > text.Length || string.Compare(text, _at, keyword, 0, keyword.Length, StringComparison.OrdinalIgnoreCase) != 0)
                return false;
            if (end < text.Length && (EventPath.IsNameChar(text[end]) || text[end] == '.'))
                return false;
            _at = end;
            return true;
        }

        bool TryChar(char c)
        {
            SkipSpace();
            if (_at < text.Length && text[_at] == c)
            {
                _at++;
                return true;
            }
            return false;
        }

        void SkipSpace()
        {
            while (_at < text.Length && char.IsWhiteSpace(text[_at]))
                _at++;
        }

        FormatException Error(string message, int? at = null) =>
            new($"{message} at position {(at ?? _at) + 1} of '{text}'");
    }
}
