import x from "./x.js";
export * from '../y.js';
const w = new Worker(new URL("/w.js", import.meta.url));
navigator.serviceWorker.register("/sw.js");
importScripts("/lib.js");
import("./chunk.js");
