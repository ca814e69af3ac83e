/** Reads a GITHUB_OUTPUT file the way the runner does: `name=value` lines and `name<<DELIM` heredocs. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^(?<name>[^=<]+)<<(?<delim>.+)$/.exec(line);
    if (heredoc?.groups) {
      const end = lines.indexOf(heredoc.groups.delim!, i + 1);
      out[heredoc.groups.name!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}
