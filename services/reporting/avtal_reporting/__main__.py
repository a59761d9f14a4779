from avtal_reporting.main import main

main()
