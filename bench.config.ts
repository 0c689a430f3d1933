import {defineConfig} from './src/config/define.js'

// Defaults for every `isobench` run in this checkout. Scenario files and flags override them.
export default defineConfig({
  reps: 10,
  warmup: 1,
  outDir: 'reports',
  budgetSeconds: 1800,
  readyTimeoutSeconds: 60,
  stateDir: '/var/lib/isobench',
  equivalenceDelta: 0.05,
  vm: {accel: 'auto'},
})
