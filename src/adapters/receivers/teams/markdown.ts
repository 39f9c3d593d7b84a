// Teams renders TextBlock and FactSet text as Markdown, and most of what a
// card says comes from Azure: circuit, peering, provider and location names,
// tags, connection names, ARM error messages. Any of them could carry
// `[click](https://evil)`, `*bold*`, `# h` or `1. x` and turn the card into
// a phishing link or a mangled layout, so every such string is escaped.
//
// CommonMark backslash escapes (what Teams and the adaptivecards renderer's
// Markdown processors honour) keep the text visible as written and inert.

/** Characters that open links, emphasis, code, HTML, DATE()/TIME() functions or tables anywhere in a line. */
const INLINE = /[\\`*_{}[\]<>~|#!]/g;

/** `text` with every Markdown construct neutralised; line breaks are kept (as "\n"). */
export function escapeMarkdown(text: string): string {
  // A lone "\r" ends a line too: block markers after it counted again.
  return text.replace(/\r\n?/g, "\n").split("\n").map(escapeLine).join("\n");
}

/** Four columns of leading spaces or tabs start a code block: kept as no-break spaces, still indented. */
const indentOf = (whitespace: string) => "\u00a0".repeat(whitespace.replace(/\t/g, "    ").length);

function escapeLine(line: string): string {
  return (
    line
      .replace(/^[ \t]+/, indentOf)
      .replace(INLINE, "\\$&")
      // Autolinks: "https://…" and bare domains ("evil.com", "www.x") become
      // links in hosts that linkify; an escaped ":" or "." breaks the pattern.
      .replace(/:(?=\/\/)/g, "\\:")
      .replace(/\.(?=[A-Za-z])/g, "\\.")
      .replace(/@/g, "\\@")
      // Block markers only count at the start of a line: bullets, quotes,
      // setext underlines and "1." / "1)" ordered lists.
      .replace(/^(\s*)([-+=>])/, "$1\\$2")
      .replace(/^(\s*\d+)([.)])/, "$1\\$2")
  );
}
