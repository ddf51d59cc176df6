// A NestJS module that provides an rxkube Client and runs controllers tied to the application's lifecycle:
// they start once every module is initialised (onApplicationBootstrap) and drain on shutdown — watches stop,
// nothing new starts, running reconciles finish — before Nest closes the HTTP server (beforeApplicationShutdown).
import 'reflect-metadata';
import {
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Client, type ClientConfig } from 'rxkube/client';
import type { ControllerResult } from 'rxkube/runtime';
import { lastValueFrom, Subject, tap, type Observable } from 'rxjs';

/** Injection token of the Client. */
export const KUBE_CLIENT = Symbol('rxkube.client');
/** Injection token of the hosted controllers. */
export const HOSTED_CONTROLLERS = Symbol('rxkube.hostedControllers');

/** A controller the host runs: `run(shutdown$)` is its cold stream of results (see `Controller.shutdownOn`). */
export interface HostedController {
  readonly name: string;
  /** Whether every store the controller reads holds its first complete listing. */
  isReady(): boolean;
  run(shutdown$: Observable<unknown>): Observable<ControllerResult>;
}

/** Runs every hosted controller between bootstrap and shutdown, and reports their readiness. */
@Injectable()
export class ControllerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly shutdown$ = new Subject<void>();
  private running: Promise<unknown>[] = [];
  /** Every result so far, oldest first. */
  readonly results: ControllerResult[] = [];

  constructor(@Inject(HOSTED_CONTROLLERS) private readonly controllers: HostedController[]) {}

  onApplicationBootstrap(): void {
    this.running = this.controllers.map((c) =>
      lastValueFrom(c.run(this.shutdown$).pipe(tap((r) => this.results.push(r))), { defaultValue: undefined }).catch(
        (e: unknown) => console.error(`controller ${c.name} stopped with an error:`, e),
      ),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shutdown$.next();
    this.shutdown$.complete();
    await Promise.all(this.running);
  }

  /** Readiness of each controller, and of all of them. */
  readiness(): { ready: boolean; controllers: Record<string, boolean> } {
    const controllers = Object.fromEntries(this.controllers.map((c) => [c.name, c.isReady()]));
    return { ready: Object.values(controllers).every(Boolean), controllers };
  }
}

/** Options of {@link RxkubeModule.forRoot}. */
export interface RxkubeModuleOptions {
  /** A ClientConfig, or a Promise of one such as `Config.infer()`. */
  config: ClientConfig | Promise<ClientConfig>;
  /** Builds the controllers to host, given the Client. */
  controllers: (client: Client) => HostedController[];
}

/** `RxkubeModule.forRoot({ config, controllers })`: a global module exporting the Client and the host. */
@Module({})
export class RxkubeModule {
  static forRoot(options: RxkubeModuleOptions): DynamicModule {
    return {
      module: RxkubeModule,
      global: true,
      providers: [
        { provide: KUBE_CLIENT, useFactory: async () => new Client(await options.config) },
        { provide: HOSTED_CONTROLLERS, inject: [KUBE_CLIENT], useFactory: (client: Client) => options.controllers(client) },
        ControllerHost,
      ],
      exports: [KUBE_CLIENT, ControllerHost],
    };
  }
}
