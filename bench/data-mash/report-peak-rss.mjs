// Preloaded (`node --import`) into a measured child process: writes the process's peak resident
// set size (kilobytes, every thread) to the file named by PEAK_RSS_FILE when it exits.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.PEAK_RSS_FILE) writeFileSync(process.env.PEAK_RSS_FILE, String(process.resourceUsage().maxRSS));
});
