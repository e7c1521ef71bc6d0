// A plugin's output as one string, for comparing with what a plugin process wrote in pieces.
import { writeConfig, writeValues, type Graph, type Output } from '../../lib/munin/protocol.js';

class TextOutput implements Output {
  text = '';
  write(text: string): void {
    this.text += text;
  }
}

export function renderConfig(graph: Graph): string {
  const out = new TextOutput();
  writeConfig(graph, out);
  return out.text;
}

export function renderValues(graph: Graph): string {
  const out = new TextOutput();
  writeValues(graph, out);
  return out.text;
}
