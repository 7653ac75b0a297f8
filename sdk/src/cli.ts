#!/usr/bin/env node
import { scaffoldPlugin } from './scaffold';

const USAGE = 'usage: plinth new-plugin <name> [entity]   (run from the repository root)';

function main(argv: string[]): number {
  const [command, name, entity] = argv;
  if (command !== 'new-plugin' || !name) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  try {
    const { dir, files } = scaffoldPlugin(process.cwd(), name, entity);
    process.stdout.write(`Created ${dir}: ${files.join(', ')}\nNext: npm install && npm start\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
