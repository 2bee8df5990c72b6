// An empty ES module app: its first line is what start-up time is measured to.
console.log('ready');
