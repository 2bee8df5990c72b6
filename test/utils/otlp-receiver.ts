// The loopback OTLP receiver lives with the examples (the service example prints what it receives).
export * from '../../examples/otlp-receiver';
