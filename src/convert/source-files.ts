// The file system as the converter sees it: read a file, expand an `include` glob. Tests and the CLI
// pass the real one; nothing else in src/convert touches node:fs.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

export interface SourceFiles {
  /** The text of a file; throws (with an errno code) when it cannot be read. */
  read(file: string): string;
  /** Files matching a glob (`*`, `?`, `[...]` in any path component), sorted; none when nothing matches. */
  glob(pattern: string): string[];
}

export const realSourceFiles: SourceFiles = {
  read: (file) => readFileSync(file, 'utf8'),
  glob: (pattern) => globFiles(pattern),
};

/** `include` paths are relative to the directory of the file that includes them (as keepalived). */
export function resolveInclude(pattern: string, includingFile: string): string {
  return isAbsolute(pattern) ? pattern : join(dirname(includingFile), pattern);
}

/** Whether a path (or one component of it) is a glob pattern rather than a plain name. */
export function hasMagic(part: string): boolean {
  return /[*?[]/.test(part);
}

function componentPattern(part: string): RegExp {
  let source = '';
  for (let i = 0; i < part.length; i++) {
    const c = part.charAt(i);
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = part.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        const body = part.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        source += `[${body}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function globFiles(pattern: string): string[] {
  const absolute = resolve(pattern);
  const parts = absolute.split('/').filter((p) => p !== '');
  let paths = ['/'];
  for (const part of parts) {
    const next: string[] = [];
    for (const base of paths) {
      if (!hasMagic(part)) {
        next.push(join(base, part));
        continue;
      }
      const matcher = componentPattern(part);
      let entries: string[];
      try {
        entries = readdirSync(base);
      } catch {
        entries = [];
      }
      for (const entry of entries.sort()) if (!entry.startsWith('.') && matcher.test(entry)) next.push(join(base, entry));
    }
    paths = next;
  }
  const files = paths.filter((p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
  // Findings name files as the user wrote them: relative patterns give relative paths.
  return isAbsolute(pattern) ? files : files.map((f) => relative(process.cwd(), f));
}
