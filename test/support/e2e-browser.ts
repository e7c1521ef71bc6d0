// Headless Chromium for the end-to-end test: a static file server on 127.0.0.1 and one-shot
// chromium runs (--dump-dom, --screenshot) that never outlive the test.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.png': 'image/png',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.ico': 'image/x-icon',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves dir read-only on 127.0.0.1 at a free port. */
export function serveDir(dir: string): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Flags this machine needs (no sandbox as root, no network beyond loopback). */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-crash-reporter',
  '--disable-breakpad',
];

export interface ChromiumRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs chromium once with a fresh profile, in its own process group, killed with all its
 * helpers after timeoutMs or as soon as it has finished.
 */
export function chromium(args: string[], timeoutMs = 90_000): Promise<ChromiumRun> {
  const profile = mkdtempSync(join(tmpdir(), 'lio-munin-chromium-'));
  const child = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone
    }
  };
  const timer = setTimeout(() => killGroup('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      killGroup('SIGKILL'); // helpers (zygote, renderer, crashpad) that outlived the browser
      rmSync(profile, { recursive: true, force: true });
      resolve({ status, stdout, stderr });
    });
  });
}

/**
 * A page that loads `target` in a same-origin iframe, waits for each of its images, and writes
 * their natural sizes into <pre id="result"> for --dump-dom to show.
 */
export function imageCheckPage(target: string): string {
  return `<!doctype html>
<html><body>
<pre id="result">pending</pre>
<iframe id="page" src="${target}" width="1280" height="1000"></iframe>
<script>
const frame = document.getElementById('page');
frame.addEventListener('load', () => {
  const images = [...frame.contentDocument.images];
  const settled = images.map((img) => img.complete ? null
    : new Promise((done) => { img.addEventListener('load', done); img.addEventListener('error', done); }));
  Promise.all(settled).then(() => {
    document.getElementById('result').textContent = JSON.stringify(
      images.map((img) => ({ src: img.getAttribute('src'), width: img.naturalWidth, height: img.naturalHeight })));
  });
});
</script>
</body></html>
`;
}

export interface ImageSize {
  src: string;
  width: number;
  height: number;
}

/** The result an imageCheckPage wrote, from chromium's --dump-dom output. */
export function imageSizes(dom: string): ImageSize[] {
  const match = /<pre id="result">([^<]*)<\/pre>/.exec(dom);
  if (!match) throw new Error(`no result in the page:\n${dom.slice(0, 500)}`);
  const text = match[1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  if (text === 'pending') throw new Error('the page did not finish loading its images');
  return JSON.parse(text) as ImageSize[];
}
