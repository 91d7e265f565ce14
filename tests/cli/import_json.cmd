sqc --json import_json.sq
