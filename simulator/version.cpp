// placeholder so the library has a source until the engine lands
