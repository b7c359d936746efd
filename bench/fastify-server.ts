// A reference: the least a Fastify route can do, answering the baseline's fixed JSON body.
import Fastify from 'fastify';
import { fixedGeneration } from './fixtures.js';

const app = Fastify();
app.get('/v1/generations/:id', async () => fixedGeneration);
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ msg: 'atelier listening', address })}\n`);
