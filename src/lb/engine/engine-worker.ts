// The worker thread of one load balancer's data path: runs the engine's epoll loop until told to exit.
import { parentPort, workerData } from 'node:worker_threads';
import { Engine } from './engine.js';
import type { EngineInit } from './protocol.js';

if (!parentPort) throw new Error('engine-worker.js runs as a worker thread');
new Engine(workerData as EngineInit, parentPort).run();
