/**
 * The shared bridge isobench0 may vanish under a running isobench: another process's prune deletes
 * it when no port is attached (src/runtime/prune.ts), e.g. a test suite's afterAll in the other lane.
 * A process that made the bridge before must make it again for its next container, not remember it
 * (a whole run's bridged samples failed with `ip link set … master isobench0: Device does not exist`).
 * The bridge is only deleted here when no port is attached, the rule prune itself follows, so no
 * other run's container loses its network.
 */
import {existsSync, readlinkSync} from 'node:fs'
import {afterAll, describe, expect, it} from 'vitest'
import {BRIDGE, bridgePorts, createBridgedNetns, deleteLink, deleteNetns, ensureBridge, hostVethName} from '../../../src/runtime/network/bridge.js'

const id = `bridge-gone-${process.pid}`
afterAll(() => deleteNetns(id))

describe.skipIf(process.getuid?.() !== 0)('bridge deleted by another process', () => {
  it('a bridged network namespace made after isobench0 was deleted has its bridge made again', async (ctx) => {
    await ensureBridge()
    if (bridgePorts().length > 0) ctx.skip() // another run's container is on the bridge: deleting it would cut that one off
    await deleteLink(BRIDGE)
    expect(existsSync(`/sys/class/net/${BRIDGE}`)).toBe(false)
    const net = await createBridgedNetns(id, '198.19.254.250')
    expect(existsSync(net.path)).toBe(true)
    expect(readlinkSync(`/sys/class/net/${hostVethName(id)}/master`)).toMatch(new RegExp(`/${BRIDGE}$`))
  })
})
