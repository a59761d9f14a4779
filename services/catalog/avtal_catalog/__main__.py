from avtal_catalog.main import main

main()
