/**
 * Image figures: recipe build cold vs cached, safe unpack vs GNU tar extracting the same layers
 * (reference measured in the same run), `image build` of the hello fixture cold vs cached, and the
 * size of every recipe image. Run as root: `npm run bench:images` (add `-- --reps 9`).
 */
import {cpSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {execa} from 'execa'
import {median} from 'simple-statistics'
import {buildImage} from '../../src/images/build/build.js'
import {createBuildExecutor} from '../../src/runtime/container/build-executor.js'
import {humanBytes} from '../../src/cli/flags.js'
import {allRecipes} from '../../src/images/recipe.js'
import {ensureRecipeImage, openImageStore, unpackRootfs} from '../../src/images/rootfs.js'

const repsArg = process.argv.indexOf('--reps')
const reps = repsArg > 0 ? Number(process.argv[repsArg + 1]) : 5
const root = mkdtempSync(join(tmpdir(), 'isobench-bench-images-'))
const fixture = resolve(import.meta.dirname, '../fixtures/images/hello')

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

function row(name: string, values: number[], ref?: {name: string; values: number[]}): void {
  const m = median(values)
  const ratio = ref ? `  ratio vs ${ref.name}: ${(m / median(ref.values)).toFixed(3)}` : ''
  console.log(
    `${name.padEnd(38)} median ${m.toFixed(1).padStart(8)} ms  (n=${values.length}, min ${Math.min(...values).toFixed(1)}, max ${Math.max(...values).toFixed(1)})${ratio}`,
  )
}

try {
  const cold: number[] = []
  const cached: number[] = []
  const unpackCold: number[] = []
  const unpackCached: number[] = []
  const gnuTar: number[] = []
  for (let i = 0; i < reps; i++) {
    const store = openImageStore(join(root, `s${i}`))
    cold.push(await time(() => ensureRecipeImage(store, 'idle')))
    cached.push(await time(() => ensureRecipeImage(store, 'idle')))
    unpackCold.push(await time(() => unpackRootfs(store, 'isobench/idle')))
    unpackCached.push(await time(() => unpackRootfs(store, 'isobench/idle')))
    const layer = (await store.manifest('isobench/idle')).layers[0]!.digest
    const dest = join(root, `tar${i}`)
    mkdirSync(dest)
    gnuTar.push(await time(() => execa('tar', ['-xf', store.blobPath(layer), '-C', dest])))
  }
  row('recipe idle: build (cold)', cold)
  row('recipe idle: ensure (cached)', cached, {name: 'cold', values: cold})
  row('GNU tar -xf idle layer (reference)', gnuTar)
  row('safe unpack idle + rootfs digest (cold)', unpackCold, {name: 'GNU tar', values: gnuTar})
  row('unpack idle (cached)', unpackCached, {name: 'cold', values: unpackCold})

  const executor = createBuildExecutor()
  const bCold: number[] = []
  const bCached: number[] = []
  for (let i = 0; i < reps; i++) {
    const store = openImageStore(join(root, `b${i}`))
    await ensureRecipeImage(store, 'idle')
    const ctx = join(root, `ctx${i}`)
    cpSync(fixture, ctx, {recursive: true})
    const opts = {file: join(ctx, 'Containerfile'), context: ctx, tags: ['hello:1'], buildArgs: {}, network: 'none' as const, executor}
    bCold.push(await time(() => buildImage(store, opts)))
    bCached.push(await time(() => buildImage(store, opts)))
  }
  row(`image build hello (cold; RUN via ${(executor as {name?: string}).name})`, bCold)
  row('image build hello (cached)', bCached, {name: 'cold', values: bCold})

  const store = openImageStore(join(root, 'sizes'))
  for (const r of await allRecipes()) {
    try {
      const ref = await ensureRecipeImage(store, r)
      const m = await store.manifest(ref)
      const {dir} = await unpackRootfs(store, ref)
      const du = (await execa('du', ['-sb', dir])).stdout.split('\t')[0]
      console.log(
        `recipe ${r.name.padEnd(12)} image ${humanBytes(m.layers.reduce((a, l) => a + l.size, 0)).padStart(9)}  rootfs ${humanBytes(Number(du)).padStart(9)}  ${ref.manifestDigest.slice(7, 19)}`,
      )
    } catch (error) {
      console.log(`recipe ${r.name.padEnd(12)} error: ${(error as Error).message}`)
    }
  }
} finally {
  rmSync(root, {recursive: true, force: true})
}
