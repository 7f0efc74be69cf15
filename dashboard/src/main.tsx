// The dashboard's entry point: reads where the command API is, takes a token from the address
// if one was handed over, and renders the app.
import { render } from 'preact';
import { takeTokenFromFragment } from './auth';
import { App } from './components/App';
import type { DashboardConfig } from './types';

async function start(): Promise<void> {
  takeTokenFromFragment();
  let config: DashboardConfig = { commandApiUrl: '' };
  try {
    const res = await fetch('/dashboard/config.json', { cache: 'no-store' });
    if (res.ok) config = (await res.json()) as DashboardConfig;
  } catch {
    // Shown on the page: commands will fail with a problem that says the server was not reached.
  }
  const root = document.getElementById('app')!;
  root.textContent = ''; // the static "Loading…" placeholder: preact renders beside what it did not make
  render(<App config={config} />, root);
}

void start();
