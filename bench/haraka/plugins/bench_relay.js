// Haraka plugin for the benchmark (loaded by Haraka's own plugin loader, not by Node's module
// system, so bench/package.json's "type": "module" does not apply). Two hooks:
// - connect: every client may relay. Haraka listens on 127.0.0.1 only, and the only client is
//   the benchmark; relaying mail goes to the outbound queue (fsync'd queue file per message).
// - get_mx: every destination domain is delivered to the benchmark's sink instead of its MX.
//   The sink's port comes from BENCH_SINK_PORT, set by bench/lib/haraka.ts.
exports.register = function () {
    this.sinkPort = Number(process.env.BENCH_SINK_PORT)
    this.register_hook('connect', 'allow_relay')
    this.register_hook('get_mx', 'to_sink')
}

exports.allow_relay = function (next, connection) {
    connection.relaying = true
    next()
}

exports.to_sink = function (next, hmail, domain) {
    next(OK, { exchange: '127.0.0.1', port: this.sinkPort, priority: 10 })
}
