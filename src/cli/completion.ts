import type { Command, Option } from 'commander';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface Level {
  path: string[];
  children: Command[];
  /** The command's own options; the program's options (`globals`) apply at every level. */
  options: Option[];
}

function levels(program: Command): { levels: Level[]; globals: Option[] } {
  const help = program.createHelp();
  const globals = help.visibleOptions(program);
  const out: Level[] = [];
  const walk = (command: Command, path: string[]) => {
    const children = help.visibleCommands(command);
    const options = path.length === 0 ? [] : help.visibleOptions(command).filter((o) => !globals.some((g) => g.long === o.long));
    out.push({ path, children, options });
    for (const child of children) walk(child, [...path, child.name()]);
  };
  walk(program, []);
  return { levels: out, globals };
}

const flags = (options: Option[]) => options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f)));
const state = (path: string[]) => (path.length ? path.join(' ') : 'root');

function bash(program: Command, command: string): string {
  const name = program.name();
  const fn = `_${name.replace(/\W/g, '_')}`;
  const { levels: all, globals } = levels(program);
  const moves = all.flatMap((l) => l.children.map((c) => `      "${state(l.path)}/${c.name()}") state="${state([...l.path, c.name()])}" ;;`));
  const words = all.map((l) => `    "${state(l.path)}") words="${[...l.children.map((c) => c.name()), ...flags([...l.options, ...globals])].join(' ')}" ;;`);
  const withChoices = new Map([...globals, ...all.flatMap((l) => l.options)].filter((o) => o.argChoices).map((o) => [o.long, o]));
  const choices = [...withChoices.values()].map(
    (o) => `    ${flags([o]).join('|')}) COMPREPLY=($(compgen -W "${o.argChoices!.join(' ')}" -- "$cur")); return ;;`,
  );
  return [
    `# ${name} completion for bash: eval "$(${name} ${command} bash)"`,
    `${fn}() {`,
    '  local cur=${COMP_WORDS[COMP_CWORD]} state=root words i',
    '  case ${COMP_WORDS[COMP_CWORD-1]} in',
    ...choices,
    '  esac',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    case "$state/${COMP_WORDS[i]}" in',
    ...moves,
    '    esac',
    '  done',
    '  case $state in',
    ...words,
    '  esac',
    '  COMPREPLY=($(compgen -W "$words" -- "$cur"))',
    '}',
    `complete -F ${fn} ${name}`,
    '',
  ].join('\n');
}

const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fish(program: Command, command: string): string {
  const name = program.name();
  const { levels: all, globals } = levels(program);
  const lines = [`# ${name} completion for fish: ${name} ${command} fish | source`, `complete -c ${name} -f`];
  for (const level of all) {
    const seen = level.path.map((p) => `__fish_seen_subcommand_from ${p}`).join('; and ');
    const next = level.path.length === 0 ? '__fish_use_subcommand' : `${seen}; and not __fish_seen_subcommand_from ${level.children.map((c) => c.name()).join(' ')}`;
    for (const child of level.children) lines.push(`complete -c ${name} -n ${quote(next)} -a ${child.name()} -d ${quote(child.description())}`);
    for (const o of level.options) lines.push(fishOption(name, `-n ${quote(seen)} `, o));
  }
  for (const o of globals) lines.push(fishOption(name, '', o));
  return `${lines.join('\n')}\n`;
}

function fishOption(name: string, condition: string, o: Option): string {
  const long = o.long ? `-l ${o.long.replace(/^--/, '')} ` : '';
  const short = o.short ? `-s ${o.short.replace(/^-/, '')} ` : '';
  const value = o.required || o.optional ? (o.argChoices ? `-r -a ${quote(o.argChoices.join(' '))} ` : '-r ') : '';
  return `complete -c ${name} ${condition}${long}${short}${value}-d ${quote(o.description)}`;
}

/** A completion script generated from the program's commands and flags; `command` is how the program prints it. */
export function completionScript(program: Command, shell: Shell, command = '@completion'): string {
  if (shell === 'fish') return fish(program, command);
  const script = bash(program, command);
  // zsh runs the bash function through its bash compatibility layer.
  return shell === 'zsh' ? `#compdef ${program.name()}\nautoload -U +X bashcompinit && bashcompinit\n${script}` : script;
}
