// ESLint: the architecture's rules, checked by `npm test` (npm run lint). Formatting is Prettier's job.
// The layers below are the ones docs/ARCHITECTURE.md draws: each may import itself and the layers it
// lists, nothing else, so an upward import fails the lint; import-x/no-cycle fails any import cycle.
import {createTypeScriptImportResolver} from 'eslint-import-resolver-typescript'
import importX from 'eslint-plugin-import-x'
import tseslint from 'typescript-eslint'

/** Layer → the files it owns, and the layers it may import (bottom to top). */
const LAYERS = {
  core: {files: ['src/core/**'], may: []},
  host: {files: ['src/host/*.ts', 'src/host/counters/**'], may: ['core']},
  stats: {files: ['src/stats/**'], may: ['core']},
  config: {files: ['src/config/**'], may: ['core']},
  reportKit: {files: ['src/report/charts/**'], may: ['core', 'stats']},
  workloads: {files: ['src/workloads/**'], may: ['core', 'host', 'config']},
  images: {files: ['src/images/**'], may: ['core', 'host', 'config', 'workloads']},
  runtime: {files: ['src/runtime/**'], may: ['core', 'host', 'config', 'images']},
  vm: {files: ['src/vm/**'], may: ['core', 'host', 'config', 'images', 'runtime']},
  arms: {files: ['src/arms/**'], may: ['core', 'host', 'config', 'images', 'runtime', 'vm']},
  metrics: {files: ['src/metrics/**'], may: ['core', 'host', 'stats', 'config', 'workloads', 'reportKit']},
  scenario: {files: ['src/scenario/**'], may: ['core', 'config', 'workloads', 'metrics']},
  engine: {files: ['src/engine/**'], may: ['core', 'host', 'stats', 'config', 'workloads', 'arms', 'metrics', 'scenario']},
  report: {files: ['src/report/*.ts'], may: ['core', 'host', 'stats', 'config', 'reportKit', 'metrics', 'engine']},
  papers: {files: ['src/papers/**'], may: ['core', 'host', 'stats', 'config', 'workloads', 'arms', 'metrics', 'scenario', 'engine', 'report']},
  doctor: {files: ['src/host/doctor/**'], may: ['core', 'host', 'config', 'workloads', 'images', 'runtime', 'vm']},
  cli: {files: ['src/cli/**'], may: ['core', 'config', 'reportKit']},
  commands: {files: ['src/commands/**'], may: null}, // the top: anything
}

const zones = Object.entries(LAYERS)
  .filter(([, l]) => l.may !== null)
  .map(([name, l]) => ({
    target: l.files,
    from: Object.entries(LAYERS)
      .filter(([other]) => other !== name && !l.may.includes(other))
      .flatMap(([, o]) => o.files),
    message: `layer ${name} may import only ${l.may.length ? l.may.join(', ') : 'nothing outside itself'} (docs/ARCHITECTURE.md)`,
  }))

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'test/fixtures/**', 'vm-images/cache/**', 'reports/**']},
  {
    files: ['src/**/*.ts'],
    languageOptions: {parser: tseslint.parser},
    plugins: {'import-x': importX},
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({project: './tsconfig.json'})],
      'import-x/parsers': {'@typescript-eslint/parser': ['.ts']},
      'import-x/extensions': ['.ts', '.js'],
    },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': ['error', {zones}],
      'no-restricted-syntax': ['error', {selector: 'ImportExpression', message: 'static imports only: lazy `await import()` belongs in src/commands/'}],
    },
  },
  {
    files: ['src/commands/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {selector: 'ImportExpression[source.type!="Literal"]', message: 'lazy imports name their module literally, so tsc and the lint see the edge'},
      ],
    },
  },
)
