from midas.cli.main import app

app(prog_name="midas")
