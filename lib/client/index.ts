/**
 * `rxkube/client`: placeholder entry point so the package builds; the layer's owner replaces this file.
 *
 * @module
 */
export {};
