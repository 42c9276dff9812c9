// The benchmark's baseline: the smallest bot on the same stack as the helpdesk (botbuilder CloudAdapter with
// ConfigurationBotFrameworkAuthentication, auth off, restify with bodyParser). It replies with the text it
// gets and keeps no state. Run it on its own: `PORT=3979 node --import tsx bench/echoBot.ts`.
import restify, { type Next, type Request, type Response } from 'restify';
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication, MessageFactory } from 'botbuilder';

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(MessageFactory.text(`Echo: ${context.activity.text ?? ''}`));
      await next();
    });
  }
}

const auth = new ConfigurationBotFrameworkAuthentication({
  MicrosoftAppId: '',
  MicrosoftAppPassword: '',
  // With no app id the SDK accepts only MultiTenant.
  MicrosoftAppType: 'MultiTenant',
  MicrosoftAppTenantId: '',
});
const adapter = new CloudAdapter(auth);
adapter.onTurnError = async (context, error) => {
  process.stderr.write(`echo bot: unhandled error in a turn: ${String(error)}\n`);
  await context.sendActivity('Sorry, something went wrong.');
};
const bot = new EchoBot();

const server = restify.createServer({ name: 'echo-bot', handleUncaughtExceptions: false });
server.use(restify.plugins.bodyParser({ mapParams: false, mapFiles: false }));
server.post('/api/messages', async (req: Request, res: Response) => {
  await adapter.process(req, res, (context) => bot.run(context));
});
server.get('/healthz', (_req: Request, res: Response, next: Next) => {
  res.send(200, { status: 'ok' });
  next();
});

const port = Number(process.env.PORT ?? 3979);
server.listen(port, () => {
  const { port: actual } = server.address() as { port: number };
  process.stdout.write(`Echo bot listening on http://localhost:${actual}/api/messages\n`);
});

const stop = () => {
  server.close(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
